package io.github.volcanovgpu.cdi;

/** ASCII character classes of the CDI parser ({@code IsLetter}, {@code IsDigit}, {@code IsAlphaNumeric}). */
final class Chars {
  private Chars() {}

  static boolean letter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean alphaNumeric(char c) {
    return letter(c) || digit(c);
  }
}
