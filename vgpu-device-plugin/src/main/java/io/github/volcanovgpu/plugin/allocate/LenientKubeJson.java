package io.github.volcanovgpu.plugin.allocate;

import io.kubernetes.client.openapi.JSON;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Date;

/**
 * Makes client-java 25 ignore JSON fields its models do not know (it otherwise refuses any pod from a newer
 * Kubernetes), the same way the sidecar's {@code bridge.kube.KubeJson} does: client-java's Gson minus the validating
 * per-model adapter factories. Duplicate of that class until both move to a shared Kubernetes module.
 */
final class LenientKubeJson {
  private static final DateTimeFormatter RFC3339_MICRO =
      new DateTimeFormatterBuilder()
          .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
          .append(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"))
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 6, 6, true)
          .optionalEnd()
          .appendLiteral("Z")
          .toFormatter();

  private LenientKubeJson() {}

  /** Idempotent; affects every ApiClient in the JVM (client-java keeps one Gson per process). */
  static void ignoreUnknownFields() {
    JSON.setGson(JSON.createGson()
        .registerTypeAdapter(Date.class, new JSON.DateTypeAdapter())
        .registerTypeAdapter(java.sql.Date.class, new JSON.SqlDateTypeAdapter())
        .registerTypeAdapter(OffsetDateTime.class, new JSON.OffsetDateTimeTypeAdapter(RFC3339_MICRO))
        .registerTypeAdapter(LocalDate.class, new JSON.LocalDateTypeAdapter())
        .registerTypeAdapter(byte[].class, new JSON.ByteArrayAdapter())
        .create());
  }
}
