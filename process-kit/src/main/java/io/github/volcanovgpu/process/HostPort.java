package io.github.volcanovgpu.process;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A bind address from a flag: {@code host:port}, {@code [v6-address]:port}, or {@code :port} for every interface
 * ({@code 0.0.0.0}); port 0 asks for an ephemeral port.
 *
 * @param host a host name or address without brackets; {@code 0.0.0.0} when the flag gave none
 */
public record HostPort(String host, int port) {
  /** Every interface. */
  public static final String ANY = "0.0.0.0";

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, got " + port);
    }
  }

  /**
   * Parses a flag's value.
   *
   * @param option the flag, for messages ({@code --http-bind})
   * @throws IllegalArgumentException naming the flag, the value and what is wrong
   */
  public static HostPort parse(String value, String option) {
    String v = value.trim();
    int colon = v.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(option + ": expected host:port, got \"" + value + "\"");
    }
    String host = v.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException(option + ": \"" + value + "\": write an IPv6 host in brackets, e.g. "
          + "[::1]:8713");
    }
    int port;
    try {
      port = Integer.parseInt(v.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": port of \"" + value + "\" is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(option + ": port must be 0-65535, got " + port);
    }
    return new HostPort(host.isEmpty() ? ANY : host, port);
  }

  /** The address to bind (resolves the host). */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
