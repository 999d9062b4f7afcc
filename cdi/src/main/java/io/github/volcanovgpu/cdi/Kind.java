package io.github.volcanovgpu.cdi;

import java.util.Objects;

/**
 * A spec's {@code kind}, {@code <vendor>/<class>} ({@code pkg/parser/parser.go}): vendor and class start with an
 * ASCII letter, end with a letter or digit, and contain letters, digits, {@code _}, {@code -}, {@code .}; the vendor
 * is at most 253 characters (a DNS subdomain) and the class at most 63 (SPEC.md).
 *
 * @param vendor e.g. {@code k8s.device-plugin.nvidia.com}
 * @param clazz e.g. {@code gpu}
 */
public record Kind(String vendor, String clazz) {
  /** The kind of NVIDIA's device plugin and ours: {@code k8s.device-plugin.nvidia.com/gpu}. */
  public static final Kind NVIDIA_DEVICE_PLUGIN = new Kind("k8s.device-plugin.nvidia.com", "gpu");
  static final int MAX_VENDOR = 253;
  static final int MAX_CLASS = 63;

  public Kind {
    Objects.requireNonNull(vendor, "vendor");
    Objects.requireNonNull(clazz, "clazz");
    validateVendor(vendor);
    validateClass(clazz);
  }

  /** Parses {@code vendor/class}; a clear {@link CdiException} when it is not one. */
  public static Kind parse(String kind) {
    Objects.requireNonNull(kind, "kind");
    int slash = kind.indexOf('/');
    if (slash <= 0 || slash == kind.length() - 1) {
      throw new CdiException("invalid kind \"" + kind + "\": expected <vendor>/<class>, e.g. nvidia.com/gpu");
    }
    return new Kind(kind.substring(0, slash), kind.substring(slash + 1));
  }

  public static void validateVendor(String vendor) {
    validateSegment("vendor", vendor, MAX_VENDOR);
  }

  public static void validateClass(String clazz) {
    validateSegment("class", clazz, MAX_CLASS);
  }

  private static void validateSegment(String what, String value, int max) {
    if (value.isEmpty()) {
      throw new CdiException("invalid (empty) " + what + " name");
    }
    if (value.length() > max) {
      throw new CdiException("invalid " + what + " \"" + value + "\": " + value.length()
          + " characters, at most " + max);
    }
    if (!Chars.letter(value.charAt(0))) {
      throw new CdiException("invalid " + what + " \"" + value + "\", should start with a letter");
    }
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (!Chars.alphaNumeric(c) && c != '_' && c != '-' && c != '.') {
        throw new CdiException("invalid character '" + c + "' in " + what + " name \"" + value + "\"");
      }
    }
    if (!Chars.alphaNumeric(value.charAt(value.length() - 1))) {
      throw new CdiException("invalid " + what + " \"" + value + "\", should end with a letter or digit");
    }
  }

  /** The qualified name of device {@code name} of this kind. */
  public QualifiedName device(String name) {
    return new QualifiedName(this, name);
  }

  /** {@code <vendor>-<class>}, the conventional spec file name without extension ({@code GenerateSpecName}). */
  public String specFileBase() {
    return vendor + "-" + clazz;
  }

  @Override
  public String toString() {
    return vendor + "/" + clazz;
  }
}
