package io.github.volcanovgpu.mig.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MigConfigCodecTest {
  private final MigConfigCodec codec = new MigConfigCodec();

  /** Shaped like mig-parted's deployments/systemd/config-default.yaml (reference §3.4). */
  private static final String DEFAULT_CONFIG = """
      version: v1
      mig-configs:
        all-disabled:
          - devices: all
            mig-enabled: false
        all-enabled:
          - devices: all
            mig-enabled: true
            mig-devices: {}
        all-1g.5gb:
          - devices: all
            mig-enabled: true
            mig-devices:
              "1g.5gb": 7
        all-1g.10gb:
          - device-filter: ["0x20B010DE", "0x20B110DE", "0x20F110DE", "0x20F610DE"]
            devices: all
            mig-enabled: true
            mig-devices:
              "1g.10gb": 4
          - device-filter: ["0x20B210DE", "0x20B510DE", "0x233010DE"]
            devices: all
            mig-enabled: true
            mig-devices:
              "1g.10gb": 7
        all-balanced:
          - device-filter: "0x20B010DE"
            devices: all
            mig-enabled: true
            mig-devices:
              "1g.5gb": 2
              "2g.10gb": 1
              "3g.20gb": 1
          - device-filter: "0x233510DE"
            devices: all
            mig-enabled: true
            mig-devices:
              "1g.18gb": 2
              "2g.35gb": 1
              "3g.71gb": 1
        half-disabled-half-balanced:
          - devices: [0, 1, 2, 3]
            mig-enabled: false
          - devices: [4, 5, 6, 7]
            mig-enabled: true
            mig-devices:
              "1g.5gb": 2
              "2g.10gb": 1
              "3g.20gb": 1
      """;

  @Test
  void parsesTheReferenceDefaultConfig() {
    MigConfigSpec spec = codec.parse(DEFAULT_CONFIG);
    assertThat(spec.configs().keySet()).containsExactly("all-disabled", "all-enabled", "all-1g.5gb", "all-1g.10gb",
        "all-balanced", "half-disabled-half-balanced");
    MigConfigEntry balanced = spec.configs().get("all-balanced").get(0);
    assertThat(balanced.deviceFilter()).containsExactly("0x20B010DE");
    assertThat(balanced.migDevices()).containsExactly(Map.entry("1g.5gb", 2), Map.entry("2g.10gb", 1),
        Map.entry("3g.20gb", 1));
    assertThat(spec.configs().get("all-enabled").get(0).migDevices()).isEmpty();
    assertThat(spec.configs().get("half-disabled-half-balanced").get(1).devices().indices())
        .containsExactly(4, 5, 6, 7);
  }

  @Test
  void entryForPicksTheEntryWhoseDeviceFilterMatches() {
    MigConfigSpec spec = codec.parse(DEFAULT_CONFIG);
    assertThat(spec.entryFor("all-1g.10gb", 0, "NVIDIA A100-SXM4-80GB", "0x20B210DE").orElseThrow()
        .migDevices()).containsEntry("1g.10gb", 7);
    assertThat(spec.entryFor("all-1g.10gb", 0, "NVIDIA A100-SXM4-40GB", "0x20b010de").orElseThrow()
        .migDevices()).containsEntry("1g.10gb", 4);
    assertThat(spec.entryFor("all-1g.10gb", 0, "Tesla T4", "0x1EB810DE")).isEmpty();
    assertThat(spec.entryFor("half-disabled-half-balanced", 2, "x", "y").orElseThrow().migEnabled()).isFalse();
  }

  @Test
  void emptyDocumentAndVersionOnlyAreAccepted() {
    assertThat(codec.parse("").configs()).isEmpty();
    assertThat(codec.parse("version: v1\n").configs()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      wrong version            | {version: v2, mig-configs: {a: [{devices: all, mig-enabled: false}]}} | unknown version: v2
      missing version          | {mig-configs: {a: [{devices: all, mig-enabled: false}]}}               | unable to parse with missing 'version' field
      unknown top-level field  | {bogus: field, version: v1, mig-configs: {a: [{devices: all, mig-enabled: false}]}} | unexpected field: bogus
      empty mig-configs        | {version: v1, mig-configs: {}}                                         | at least one entry in 'mig-configs' is required
      config without entries   | {version: v1, mig-configs: {a: []}}                                     | at least one entry in 'a' is required
      missing devices          | {version: v1, mig-configs: {a: [{mig-enabled: true, mig-devices: {1g.5gb: 2}}]}} | mig-configs.a[0]: missing required field: devices
      missing mig-enabled      | {version: v1, mig-configs: {a: [{devices: all, mig-devices: {1g.5gb: 2}}]}} | missing required field: mig-enabled
      enabled without devices  | {version: v1, mig-configs: {a: [{devices: all, mig-enabled: true}]}}  | missing required field 'mig-devices' when 'mig-enabled' is true
      disabled with devices    | {version: v1, mig-configs: {a: [{devices: all, mig-enabled: false, mig-devices: {1g.5gb: 1}}]}} | MIG devices included when 'mig-enabled' is false
      bad profile name         | {version: v1, mig-configs: {a: [{devices: all, mig-enabled: true, mig-devices: {bogus: 2}}]}} | invalid format for 'bogus'
      negative count           | {version: v1, mig-configs: {a: [{devices: all, mig-enabled: true, mig-devices: {1g.5gb: -1}}]}} | invalid count for '1g.5gb'
      unknown entry field      | {version: v1, mig-configs: {a: [{bogus: field, devices: all, mig-enabled: false}]}} | unexpected field: bogus
      devices string not all   | {version: v1, mig-configs: {a: [{devices: bogus, mig-enabled: false}]}} | invalid string input for 'devices': bogus
      devices a mapping        | {version: v1, mig-configs: {a: [{devices: {}, mig-enabled: false}]}}  | 'devices' must be "all" or a list of GPU indices
      mig-enabled not a bool   | {version: v1, mig-configs: {a: [{devices: all, mig-enabled: yes please}]}} | 'mig-enabled' must be true or false
      not yaml                 | '{version: v1, mig-configs: [}'                                          | not valid YAML
      """)
  void rejectsInvalidConfigsWithMigPartedsMessage(String what, String yaml, String message) {
    assertThatThrownBy(() -> codec.parse(yaml)).isInstanceOf(MigConfigException.class)
        .hasMessageContaining(message);
  }

  @Test
  void acceptsProfileNamesWithComputeAndAttributes() {
    for (String name : List.of("1g.5gb", "1c.2g.10gb", "1g.5gb+me", "1g.10gb+me.all", "1g.24gb+gfx", "1g.6gb-me")) {
      assertThat(MigConfigCodec.validProfileName(name)).as(name).isTrue();
    }
    for (String name : List.of("", "1g", "g.5gb", "1g.5GB", "1g.5gb+foo", "7g.80gb ")) {
      assertThat(MigConfigCodec.validProfileName(name)).as(name).isFalse();
    }
  }

  @Test
  void writeThenParseRoundTrips() {
    MigConfigSpec spec = codec.parse(DEFAULT_CONFIG);
    String written = codec.write(spec);
    assertThat(codec.parse(written)).isEqualTo(spec);
    assertThat(written).startsWith("version: \"v1\"\nmig-configs:\n");
  }
}
