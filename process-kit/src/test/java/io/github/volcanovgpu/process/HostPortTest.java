package io.github.volcanovgpu.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void parsesHostAndPort() {
    HostPort a = HostPort.parse("127.0.0.1:50051", "--grpc-bind");

    assertThat(a).isEqualTo(new HostPort("127.0.0.1", 50051));
    assertThat(a.socketAddress().getPort()).isEqualTo(50051);
    assertThat(a).hasToString("127.0.0.1:50051");
  }

  @Test
  void bracketedIpv6AndAnEmptyHostForEveryInterface() {
    HostPort v6 = HostPort.parse("[::1]:0", "--http-bind");
    InetSocketAddress any = HostPort.parse(":7070", "--http-bind").socketAddress();

    assertThat(v6.host()).isEqualTo("::1");
    assertThat(v6).hasToString("[::1]:0");
    assertThat(v6.socketAddress().getAddress().isLoopbackAddress()).isTrue();
    assertThat(any.getAddress().isAnyLocalAddress()).isTrue();
    assertThat(any.getPort()).isEqualTo(7070);
  }

  @Test
  void rejectsWhatIsNotHostColonPortNamingTheFlagAndTheValue() {
    assertThatThrownBy(() -> HostPort.parse("localhost", "--grpc-bind"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--grpc-bind: expected host:port, got \"localhost\"");
    assertThatThrownBy(() -> HostPort.parse("localhost:http", "--grpc-bind"))
        .hasMessage("--grpc-bind: port of \"localhost:http\" is not a number");
    assertThatThrownBy(() -> HostPort.parse("localhost:70000", "--metrics-bind-address"))
        .hasMessage("--metrics-bind-address: port must be 0-65535, got 70000");
    assertThatThrownBy(() -> HostPort.parse("::1:80", "--http-bind")).hasMessageContaining("IPv6 host in brackets");
  }
}
