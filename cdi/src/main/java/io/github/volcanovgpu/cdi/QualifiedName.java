package io.github.volcanovgpu.cdi;

import java.util.Objects;

/**
 * A fully-qualified CDI device name {@code <vendor>/<class>=<name>}, e.g. {@code nvidia.com/gpu=0}. The device name
 * starts and ends with an ASCII letter or digit; inner characters are letters, digits, {@code _}, {@code -},
 * {@code .} and {@code :} (NVIDIA's MIG names such as {@code 0:1}).
 *
 * @param kind vendor and class
 * @param name the device name within the kind
 */
public record QualifiedName(Kind kind, String name) {
  public QualifiedName {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    validateDeviceName(name);
  }

  /** Parses {@code vendor/class=name}; a clear {@link CdiException} when it is not one. */
  public static QualifiedName parse(String qualified) {
    Objects.requireNonNull(qualified, "qualified");
    int eq = qualified.indexOf('=');
    if (qualified.isEmpty() || qualified.charAt(0) == '/' || eq <= 0 || eq == qualified.length() - 1) {
      throw new CdiException("unqualified device \"" + qualified
          + "\", missing vendor/class=name (e.g. nvidia.com/gpu=0)");
    }
    String kind = qualified.substring(0, eq);
    int slash = kind.indexOf('/');
    if (slash <= 0 || slash == kind.length() - 1) {
      throw new CdiException("unqualified device \"" + qualified
          + "\", missing vendor/class=name (e.g. nvidia.com/gpu=0)");
    }
    try {
      return new QualifiedName(new Kind(kind.substring(0, slash), kind.substring(slash + 1)),
          qualified.substring(eq + 1));
    } catch (CdiException e) {
      throw new CdiException("invalid device \"" + qualified + "\": " + e.getMessage(), e);
    }
  }

  public static boolean isQualified(String value) {
    try {
      parse(value);
      return true;
    } catch (CdiException e) {
      return false;
    }
  }

  public static void validateDeviceName(String name) {
    if (name.isEmpty()) {
      throw new CdiException("invalid (empty) device name");
    }
    if (!Chars.alphaNumeric(name.charAt(0))) {
      throw new CdiException("invalid device name \"" + name + "\", should start with a letter or digit");
    }
    for (int i = 1; i < name.length() - 1; i++) {
      char c = name.charAt(i);
      if (!Chars.alphaNumeric(c) && c != '_' && c != '-' && c != '.' && c != ':') {
        throw new CdiException("invalid character '" + c + "' in device name \"" + name + "\"");
      }
    }
    if (!Chars.alphaNumeric(name.charAt(name.length() - 1))) {
      throw new CdiException("invalid device name \"" + name + "\", should end with a letter or digit");
    }
  }

  @Override
  public String toString() {
    return kind + "=" + name;
  }
}
