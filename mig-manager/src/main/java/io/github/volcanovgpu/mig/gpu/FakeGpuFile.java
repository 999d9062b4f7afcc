package io.github.volcanovgpu.mig.gpu;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.mig.profile.GpuModel;
import io.github.volcanovgpu.mig.profile.MigProfile;
import io.github.volcanovgpu.mig.profile.ProfileCatalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A fake machine in a YAML file, so the CLI runs without a GPU and keeps state between runs:
 *
 * <pre>
 * gpus:
 *   - model: A100-40GB          # a catalogue model name
 *     uuid: GPU-0
 *     migEnabled: true
 *     runningClients: false
 *     instances: [{profile: 3g.20gb, start: 4}]
 * </pre>
 */
public final class FakeGpuFile {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The file's shape. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Machine(@JsonProperty("gpus") @Nullable List<Gpu> gpus) {}

  @JsonIgnoreProperties(ignoreUnknown = true)
  record Gpu(
      @JsonProperty("model") @Nullable String model,
      @JsonProperty("uuid") @Nullable String uuid,
      @JsonProperty("migEnabled") boolean migEnabled,
      @JsonProperty("runningClients") boolean runningClients,
      @JsonProperty("instances") @Nullable List<Instance> instances) {}

  record Instance(@JsonProperty("profile") String profile, @JsonProperty("start") int start) {}

  private FakeGpuFile() {
  }

  /** Builds a fake machine from {@code file}; a clear {@link MigPortException} names what is wrong. */
  public static FakeMigGpus load(Path file, ProfileCatalogue catalogue) {
    Machine m;
    try {
      m = YAML.readValue(Files.readString(file), Machine.class);
    } catch (IOException e) {
      throw new MigPortException("cannot read fake GPU file " + file + ": " + e.getMessage(), -1);
    }
    FakeMigGpus gpus = new FakeMigGpus();
    if (m == null || m.gpus() == null) {
      return gpus;
    }
    for (Gpu g : m.gpus()) {
      String modelName = g.model() == null ? "" : g.model();
      GpuModel model = catalogue.byName(modelName).orElseThrow(() -> new MigPortException(
          file + ": unknown model '" + modelName + "' (known: "
              + catalogue.models().stream().map(GpuModel::name).toList() + ")",
          -1));
      int i = gpus.addGpu(model, g.uuid() == null ? "GPU-fake-" + gpus.gpus().size() : g.uuid());
      if (g.migEnabled()) {
        gpus.setMigMode(i, true);
      }
      if (g.instances() != null) {
        for (Instance inst : g.instances()) {
          MigProfile p = model.profile(inst.profile()).orElseThrow(() -> new MigPortException(
              file + ": GPU " + i + ": profile " + inst.profile() + " unknown to " + model.name(), -1));
          GpuInstance gi = gpus.createGpuInstance(i, p, inst.start());
          gpus.createComputeInstance(i, gi.id());
        }
      }
      gpus.setRunningClients(i, g.runningClients());
    }
    return gpus;
  }

  /** Writes the machine's current state back (atomically: temp file + rename). */
  public static void save(FakeMigGpus gpus, Path file) {
    List<Gpu> out = new ArrayList<>();
    for (GpuInfo info : gpus.gpus()) {
      List<Instance> instances = new ArrayList<>();
      for (GpuInstance gi : gpus.gpuInstances(info.index())) {
        instances.add(new Instance(gi.profile(), gi.start()));
      }
      out.add(new Gpu(gpus.model(info.index()).name(), info.uuid(), gpus.migMode(info.index()).current(),
          gpus.hasRunningClients(info.index()), instances));
    }
    try {
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".fake-gpus", ".tmp");
      Files.writeString(tmp, YAML.writeValueAsString(new Machine(out)));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new MigPortException("cannot write fake GPU file " + file + ": " + e.getMessage(), -1);
    }
  }
}
