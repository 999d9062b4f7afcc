package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Intel RDT settings ({@code IntelRdt}, 0.7.0; {@code schemata} and {@code enableMonitoring} 1.1.0).
 *
 * @param closID class of service
 * @param l3CacheSchema L3 cache schema
 * @param memBwSchema memory bandwidth schema
 * @param schemata full schemata lines (1.1.0)
 * @param enableMonitoring monitoring group (1.1.0); null when off (omitted like Go's omitempty)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"closID", "l3CacheSchema", "memBwSchema", "schemata", "enableMonitoring"})
public record IntelRdt(@JsonProperty("closID") @Nullable String closID, @Nullable String l3CacheSchema,
    @Nullable String memBwSchema, List<String> schemata, @Nullable Boolean enableMonitoring) {
  public IntelRdt(@Nullable String closID, @Nullable String l3CacheSchema, @Nullable String memBwSchema,
      @Nullable List<String> schemata, @Nullable Boolean enableMonitoring) {
    this.closID = closID;
    this.l3CacheSchema = l3CacheSchema;
    this.memBwSchema = memBwSchema;
    this.schemata = Copies.list(schemata);
    this.enableMonitoring = Boolean.TRUE.equals(enableMonitoring) ? Boolean.TRUE : null; // Go: omitempty
  }

  /** Whether monitoring is on (false when absent). */
  public boolean monitoring() {
    return Boolean.TRUE.equals(enableMonitoring);
  }
}
