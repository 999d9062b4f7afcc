package io.github.volcanovgpu.contract.env;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The env names of the Java contract and of libvgpu's headers are the same set: neither side can drift. */
class EnvNamesAgreeWithLibvgpuTest {
  private static final Path HEADERS = Path.of("..", "libvgpu-native", "include", "vgpu");
  /** Names the device plugin sets for other readers than libvgpu (the Ascend runtime creates template vNPUs). */
  private static final Set<String> NOT_FOR_LIBVGPU = Set.of(NpuEnv.VNPU_SPECS);

  private static Set<String> cDefines() throws Exception {
    Pattern define = Pattern.compile("#define\\s+VGPU_ENV_\\w+\\s+\"([A-Z0-9_]+)\"");
    Set<String> names = new TreeSet<>();
    for (String header : new String[] {"core.h", "limits_file.h"}) {
      Matcher m = define.matcher(Files.readString(HEADERS.resolve(header)));
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static Set<String> javaConstants(Class<?>... classes) throws Exception {
    Set<String> names = new TreeSet<>();
    for (Class<?> c : classes) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().matches("[A-Z_]+")
            && !f.getName().equals("CONTAINER_PATH")) {
          names.add((String) f.get(null));
        }
      }
    }
    names.removeAll(NOT_FOR_LIBVGPU);
    return names;
  }

  @Test
  void everyEnvNameLibvgpuReadsIsDefinedOnceInJavaAndNoOther() throws Exception {
    Set<String> c = cDefines();
    assertThat(c).contains("CUDA_DEVICE_MEMORY_LIMIT", "NPU_MEM_QUOTA", "VGPU_LIMITS_FILE");
    assertThat(javaConstants(CudaEnv.class, NpuEnv.class, LimitsFile.class)).isEqualTo(c);
  }
}
