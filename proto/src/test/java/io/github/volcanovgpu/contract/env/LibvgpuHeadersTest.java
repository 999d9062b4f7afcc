package io.github.volcanovgpu.contract.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The C and Java definitions of the libvgpu contract are the same: every {@code #define} of libvgpu's headers that
 * names an environment variable, a default path or a limit has the Java constant of the same value, and back.
 */
class LibvgpuHeadersTest {
  private static final Path INCLUDE = Path.of("..", "libvgpu-native", "include", "vgpu");
  private static final Pattern DEFINE = Pattern.compile("^#define\\s+(VGPU_\\w+)\\s+(\"[^\"]*\"|\\d+u?)",
      Pattern.MULTILINE);

  private static Map<String, String> defines(String header) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = DEFINE.matcher(Files.readString(INCLUDE.resolve(header)));
    while (m.find()) {
      out.put(m.group(1), m.group(2).replace("\"", "").replaceAll("u$", ""));
    }
    return out;
  }

  @Test
  void everyEnvironmentVariableOfTheCFrontEndsIsDefinedOnceInJava() throws IOException {
    Map<String, String> c = new LinkedHashMap<>(defines("core.h"));
    c.putAll(defines("limits_file.h"));
    Map<String, String> java = Map.ofEntries(
        Map.entry("VGPU_ENV_MEMORY_LIMIT", CudaEnv.MEMORY_LIMIT),
        Map.entry("VGPU_ENV_SM_LIMIT", CudaEnv.SM_LIMIT),
        Map.entry("VGPU_ENV_SHARED_CACHE", CudaEnv.SHARED_CACHE),
        Map.entry("VGPU_ENV_CORE_POLICY", CudaEnv.CORE_POLICY),
        Map.entry("VGPU_ENV_PRIORITY", CudaEnv.PRIORITY),
        Map.entry("VGPU_ENV_LOG_LEVEL", CudaEnv.LOG_LEVEL),
        Map.entry("VGPU_ENV_OVERSUBSCRIBE", CudaEnv.OVERSUBSCRIBE),
        Map.entry("VGPU_DEFAULT_SHARED_CACHE", CudaEnv.DEFAULT_SHARED_CACHE),
        Map.entry("VGPU_ENV_NPU_MEM_QUOTA", NpuEnv.MEM_QUOTA),
        Map.entry("VGPU_ENV_NPU_CORE_PERCENT", NpuEnv.CORE_PERCENT),
        Map.entry("VGPU_ENV_NPU_PRIORITY", NpuEnv.PRIORITY),
        Map.entry("VGPU_ENV_NPU_LOCAL_SHM", NpuEnv.LOCAL_SHM_PATH),
        Map.entry("VGPU_ENV_NPU_GLOBAL_SHM", NpuEnv.GLOBAL_SHM_PATH),
        Map.entry("VGPU_ENV_NPU_LOG_LEVEL", NpuEnv.LOG_LEVEL),
        Map.entry("VGPU_ENV_ASCEND_VISIBLE", NpuEnv.VISIBLE_DEVICES),
        Map.entry("VGPU_DEFAULT_NPU_LOCAL_SHM", NpuEnv.DEFAULT_LOCAL_SHM_PATH),
        Map.entry("VGPU_ENV_LIMITS_FILE", LimitsFile.OVERRIDE_ENV),
        Map.entry("VGPU_LIMITS_DEFAULT_PATH", LimitsFile.CONTAINER_PATH),
        Map.entry("VGPU_LIMITS_VERSION", Integer.toString(LimitsFile.VERSION)),
        Map.entry("VGPU_MAX_DEVICES", Integer.toString(LimitsFile.MAX_DEVICES)));

    java.forEach((name, value) -> assertThat(c).as("C define %s", name).containsEntry(name, value));
    assertThat(c.keySet().stream().filter(n -> n.startsWith("VGPU_ENV_") || n.startsWith("VGPU_DEFAULT_")))
        .as("every environment variable and default of the C side has its Java constant")
        .allMatch(java::containsKey);
  }
}
