package io.github.volcanovgpu.bridge.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Kubernetes resource quantities ({@code "3000"}, {@code "2"}, {@code "1k"}, {@code "1Gi"}, {@code "500m"}) read as
 * Go's {@code Quantity.Value()} does: the integer value, rounded up.
 */
public final class Quantities {
  private Quantities() {}

  /**
   * Parses a quantity that must be a whole number (device counts, MiB, percent): {@code "1.5"} or {@code "500m"}
   * are refused, as the API server refuses fractional extended resources.
   *
   * @throws IllegalArgumentException with a message naming the bad text
   */
  public static long wholeValue(String quantity) {
    long v = value(quantity);
    if (plainDigits(quantity)) {
      return v;
    }
    String s = quantity.trim();
    if (exact(s).compareTo(java.math.BigDecimal.valueOf(v)) != 0) {
      throw new IllegalArgumentException("\"" + quantity + "\" is not a whole number");
    }
    return v;
  }

  private static boolean plainDigits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static BigDecimal exact(String s) {
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    return new BigDecimal(s.substring(0, end)).multiply(multiplier(s, s.substring(end)));
  }

  /**
   * Parses a quantity to its integer value (rounded up, as {@code Quantity.Value()}).
   *
   * @throws IllegalArgumentException with a message naming the bad text
   */
  public static long value(String quantity) {
    String s = quantity.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty quantity");
    }
    // fast path: plain non-negative integer, the common case for vGPU resources
    if (s.length() <= 18) {
      long v = 0;
      boolean plain = true;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c < '0' || c > '9') {
          plain = false;
          break;
        }
        v = v * 10 + (c - '0');
      }
      if (plain) {
        return v;
      }
    }
    int end = s.length();
    while (end > 0 && Character.isLetter(s.charAt(end - 1))) {
      end--;
    }
    String number = s.substring(0, end);
    String suffix = s.substring(end);
    BigDecimal base;
    try {
      base = new BigDecimal(number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + quantity + "\" is not a Kubernetes quantity");
    }
    BigDecimal v = base.multiply(multiplier(quantity, suffix)).setScale(0, RoundingMode.CEILING);
    try {
      return v.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + quantity + "\" is out of range");
    }
  }

  private static BigDecimal multiplier(String quantity, String suffix) {
    return switch (suffix) {
      case "" -> BigDecimal.ONE;
      case "m" -> new BigDecimal("0.001");
      case "k" -> BigDecimal.TEN.pow(3);
      case "M" -> BigDecimal.TEN.pow(6);
      case "G" -> BigDecimal.TEN.pow(9);
      case "T" -> BigDecimal.TEN.pow(12);
      case "P" -> BigDecimal.TEN.pow(15);
      case "E" -> BigDecimal.TEN.pow(18);
      case "Ki" -> BigDecimal.valueOf(1L << 10);
      case "Mi" -> BigDecimal.valueOf(1L << 20);
      case "Gi" -> BigDecimal.valueOf(1L << 30);
      case "Ti" -> BigDecimal.valueOf(1L << 40);
      case "Pi" -> BigDecimal.valueOf(1L << 50);
      case "Ei" -> BigDecimal.valueOf(1L << 60);
      default -> throw new IllegalArgumentException(
          "\"" + quantity + "\" has an unknown quantity suffix \"" + suffix + "\"");
    };
  }
}
