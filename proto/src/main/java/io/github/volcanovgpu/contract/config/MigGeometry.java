package io.github.volcanovgpu.contract.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * One entry of {@code knownMigGeometries}: GPU models (substrings of the device type) and their allowed groups.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MigGeometry(List<String> models, List<Group> allowedGeometries) {
  public MigGeometry {
    models = models == null ? List.of() : List.copyOf(models);
    allowedGeometries = allowedGeometries == null ? List.of() : List.copyOf(allowedGeometries);
  }

  /** A named layout of instances, e.g. {@code group2} = 3 x 2g.10gb + 1 x 1g.5gb. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Group(String group, List<Instance> geometries) {
    public Group {
      group = group == null ? "" : group;
      geometries = geometries == null ? List.of() : List.copyOf(geometries);
    }
  }

  /** {@code count} instances of profile {@code name} with {@code memory} MiB each. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Instance(String name, long memory, int count) {
    public Instance {
      name = name == null ? "" : name;
    }
  }
}
