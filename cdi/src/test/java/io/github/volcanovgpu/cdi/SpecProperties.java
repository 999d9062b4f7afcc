package io.github.volcanovgpu.cdi;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.cdi.nvidia.MigDevice;
import io.github.volcanovgpu.cdi.nvidia.NvidiaCdiGenerator;
import io.github.volcanovgpu.cdi.nvidia.NvidiaGpu;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Generated specs always conform; damaged spec files are always a CdiException, never another failure. */
class SpecProperties {
  private static final CdiCodec CODEC = new CdiCodec();

  private static String golden(String name) {
    try (InputStream in = SpecProperties.class.getClassLoader().getResourceAsStream("golden/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Property(tries = 200)
  void everyGeneratedInventorySpecConformsToTheSchemaAndRoundTrips(@ForAll @IntRange(max = 8) int gpus,
      @ForAll @IntRange(max = 7) int migsPerMigGpu, @ForAll boolean lastIsMig, @ForAll boolean index,
      @ForAll boolean uuid) {
    List<NvidiaGpu> cards = new ArrayList<>();
    List<MigDevice> migs = new ArrayList<>();
    int minorCap = 10;
    for (int i = 0; i < gpus; i++) {
      boolean mig = lastIsMig && i == gpus - 1;
      cards.add(new NvidiaGpu(i, "GPU-" + i + "-" + Integer.toHexString(i * 7919), i, mig));
      if (mig) {
        for (int j = 0; j < migsPerMigGpu; j++) {
          migs.add(new MigDevice("MIG-" + i + "-" + j, i, i, j, j + 1, 0, minorCap++, minorCap++));
        }
      }
    }
    var naming = new java.util.HashSet<NvidiaCdiGenerator.Naming>();
    if (index) {
      naming.add(NvidiaCdiGenerator.Naming.INDEX);
    }
    if (uuid || !index) {
      naming.add(NvidiaCdiGenerator.Naming.UUID);
    }
    CdiSpec spec = NvidiaCdiGenerator.gpus(new NvidiaCdiGenerator.Options(Kind.NVIDIA_DEVICE_PLUGIN, naming, true, "/",
        NvidiaCdiGenerator.CONTROL_NODES), cards, migs);
    if (spec.devices().isEmpty()) {
      assertThat(CdiValidator.problems(spec)).containsExactly("no devices");
      return;
    }
    String json = CODEC.write(spec, CdiCodec.Format.JSON);
    assertThat(SchemaValidation.violations(json)).isEmpty();
    assertThat(CODEC.read(json, CdiCodec.Format.JSON, "p")).isEqualTo(spec);
    assertThat(CODEC.read(CODEC.write(spec, CdiCodec.Format.YAML), CdiCodec.Format.YAML, "p")).isEqualTo(spec);
  }

  @Provide
  Arbitrary<String> damaged() {
    return Arbitraries.of("gpus.json", "mig.json", "vgpu-slices.json").map(SpecProperties::golden)
        .flatMap(text -> Arbitraries.integers().between(0, text.length() - 1).tuple3()
            .flatMap(t -> Arbitraries.strings().ofMaxLength(3).withChars("{}[]\",:0aZ-/= n")
                .map(insert -> {
                  int a = Math.min(t.get1(), t.get2());
                  int b = Math.min(text.length(), a + (t.get3() % 4));
                  return text.substring(0, a) + insert + text.substring(b);
                })));
  }

  @Property(tries = 500)
  void aDamagedSpecIsEitherValidOrACdiException(@ForAll("damaged") String text) {
    try {
      CdiSpec spec = CODEC.read(text, CdiCodec.Format.JSON, "damaged.json");
      assertThat(CdiValidator.problems(spec)).isEmpty();
      assertThat(SchemaValidation.violations(CODEC.write(spec, CdiCodec.Format.JSON))).isEmpty();
    } catch (CdiException e) {
      assertThat(e.getMessage()).startsWith("damaged.json: ");
    }
  }
}
