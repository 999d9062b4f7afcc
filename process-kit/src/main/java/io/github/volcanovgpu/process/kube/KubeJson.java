package io.github.volcanovgpu.process.kube;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.JSON;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.Date;

/**
 * Makes client-java read objects that carry fields it does not know.
 *
 * <p>client-java 25's generated models refuse any JSON field missing from their schema ({@code IllegalArgumentException:
 * The field `x` in the JSON string is not defined in the `V1PodStatus` properties}): against a Kubernetes release
 * newer than the client, every pod list and watch fails, and so would the informers (kubernetes-client/java#4809).
 * Older servers are affected too: {@code pods/binding} answers with a {@code Status} that the client parses as a
 * {@code V1Binding}. This replaces client-java's process-wide Gson with one built the same way minus the
 * per-model validating adapter factories, so unknown fields are ignored as Kubernetes' own clients do. Quantities,
 * int-or-string and timestamps keep their adapters.
 */
public final class KubeJson {
  /** client-java's RFC 3339 format with optional microseconds (the one in {@code JSON}'s static initialiser). */
  private static final DateTimeFormatter RFC3339_MICRO =
      new DateTimeFormatterBuilder()
          .parseDefaulting(ChronoField.OFFSET_SECONDS, 0)
          .append(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss"))
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 6, 6, true)
          .optionalEnd()
          .appendLiteral("Z")
          .toFormatter();

  private KubeJson() {}

  /** Idempotent; affects every ApiClient in the JVM (client-java keeps one Gson per process). */
  public static void ignoreUnknownFields() {
    JSON.setGson(lenientGson());
  }

  public static Gson lenientGson() {
    return JSON.createGson()
        .registerTypeAdapter(Date.class, new JSON.DateTypeAdapter())
        .registerTypeAdapter(java.sql.Date.class, new JSON.SqlDateTypeAdapter())
        .registerTypeAdapter(OffsetDateTime.class, new JSON.OffsetDateTimeTypeAdapter(RFC3339_MICRO))
        .registerTypeAdapter(LocalDate.class, new JSON.LocalDateTypeAdapter())
        .registerTypeAdapter(byte[].class, new JSON.ByteArrayAdapter())
        .create();
  }
}
