package io.github.volcanovgpu.cdi;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * CDI device requests carried in annotations ({@code pkg/cdi/annotations.go}): key {@code <prefix><plugin>_<deviceID>}
 * (with {@code /} in the device ID replaced by {@code _}), value the qualified names joined with {@code ,}. The part
 * after the prefix is at most 63 characters, starts and ends with an ASCII letter or digit and contains letters,
 * digits, {@code _}, {@code -}, {@code .}. Runtimes read every annotation whose key starts with {@link #PREFIX}.
 *
 * @param prefix the key prefix, {@link #PREFIX} by default (NVIDIA's {@code --cdi-annotation-prefix})
 */
public record CdiAnnotations(String prefix) {
  public static final String PREFIX = "cdi.k8s.io/";
  static final int MAX_NAME = 63;
  static final int MAX_PREFIX = 253;

  public CdiAnnotations {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.endsWith("/") || prefix.length() < 2 || prefix.indexOf('/') != prefix.length() - 1) {
      throw new CdiException("invalid annotation prefix \"" + prefix + "\": expected a DNS subdomain followed by "
          + "one '/', e.g. " + PREFIX);
    }
    String domain = prefix.substring(0, prefix.length() - 1);
    if (domain.length() > MAX_PREFIX) {
      throw new CdiException("invalid annotation prefix \"" + prefix + "\": longer than " + MAX_PREFIX);
    }
    for (String label : domain.split("\\.", -1)) {
      boolean dnsLabel = !label.isEmpty() && label.length() <= 63 && lowerAlnum(label.charAt(0))
          && lowerAlnum(label.charAt(label.length() - 1))
          && label.chars().allMatch(c -> lowerAlnum((char) c) || c == '-');
      if (!dnsLabel) {
        throw new CdiException("invalid annotation prefix \"" + prefix + "\": \"" + label
            + "\" is not a DNS label (lowercase letters, digits, '-')");
      }
    }
  }

  public static CdiAnnotations standard() {
    return new CdiAnnotations(PREFIX);
  }

  private static boolean lowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || Chars.digit(c);
  }

  /** {@code <prefix><pluginName>_<deviceId>}, validated ({@code AnnotationKey}). */
  public String key(String pluginName, String deviceId) {
    Objects.requireNonNull(pluginName, "pluginName");
    Objects.requireNonNull(deviceId, "deviceId");
    if (pluginName.isEmpty()) {
      throw new CdiException("invalid plugin name, empty");
    }
    if (deviceId.isEmpty()) {
      throw new CdiException("invalid deviceID, empty");
    }
    String name = pluginName + "_" + deviceId.replace('/', '_');
    validateName(name);
    return prefix + name;
  }

  /** The rules for the part of a key after the prefix. */
  public static void validateName(String name) {
    if (name.isEmpty()) {
      throw new CdiException("invalid annotation name, empty");
    }
    if (name.length() > MAX_NAME) {
      throw new CdiException("invalid plugin+deviceID \"" + name + "\", too long (" + name.length() + " > "
          + MAX_NAME + ")");
    }
    if (!Chars.alphaNumeric(name.charAt(0))) {
      throw new CdiException("invalid name \"" + name + "\", first '" + name.charAt(0)
          + "' should be alphanumeric");
    }
    for (int i = 1; i < name.length() - 1; i++) {
      char c = name.charAt(i);
      if (!Chars.alphaNumeric(c) && c != '_' && c != '-' && c != '.') {
        throw new CdiException("invalid name \"" + name + "\", invalid character '" + c + "'");
      }
    }
    if (!Chars.alphaNumeric(name.charAt(name.length() - 1))) {
      throw new CdiException("invalid name \"" + name + "\", last '" + name.charAt(name.length() - 1)
          + "' should be alphanumeric");
    }
  }

  /** The qualified names joined by {@code ,} ({@code AnnotationValue}); at least one. */
  public static String value(List<QualifiedName> devices) {
    if (devices.isEmpty()) {
      throw new CdiException("no CDI devices to annotate");
    }
    StringJoiner out = new StringJoiner(",");
    devices.forEach(d -> out.add(d.toString()));
    return out.toString();
  }

  /** The devices requested by the annotations with this prefix, in key order; bad values are errors. */
  public List<QualifiedName> parse(Map<String, String> annotations) {
    List<QualifiedName> out = new ArrayList<>();
    annotations.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          for (String d : e.getValue().split(",", -1)) {
            try {
              out.add(QualifiedName.parse(d));
            } catch (CdiException ex) {
              throw new CdiException("annotation " + e.getKey() + ": " + ex.getMessage(), ex);
            }
          }
        });
    return out;
  }
}
