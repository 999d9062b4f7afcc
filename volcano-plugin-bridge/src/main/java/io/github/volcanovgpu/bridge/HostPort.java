package io.github.volcanovgpu.bridge;

/** A {@code host:port} bind address ({@code :8713} and {@code [::1]:8713} accepted). */
record HostPort(String host, int port) {
  static HostPort parse(String value, String option) {
    String v = value.trim();
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(option + ": expected host:port, got \"" + value + "\"");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty()) {
      host = "0.0.0.0";
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": port of \"" + value + "\" is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + ": port must be 0..65535, got " + port);
    }
    return new HostPort(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
