package io.github.volcanovgpu.bridge.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.testing.Engines;
import io.github.volcanovgpu.process.HostPort;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcServerTest {

  @Test
  void settingsRejectNonPositiveLimits() {
    GrpcServer.Settings d = GrpcServer.Settings.defaults();
    assertThatThrownBy(
        () -> new GrpcServer.Settings(0, d.keepAliveTime(), d.keepAliveTimeout(), d.permitKeepAliveTime(),
            d.maxConcurrentCallsPerConnection(), d.workerThreads(), d.queueCapacity(), d.shutdownGrace()))
        .hasMessageContaining("maxInboundMessageBytes");
    assertThatThrownBy(
        () -> new GrpcServer.Settings(d.maxInboundMessageBytes(), Duration.ZERO, d.keepAliveTimeout(),
            d.permitKeepAliveTime(), d.maxConcurrentCallsPerConnection(), d.workerThreads(),
            d.queueCapacity(), d.shutdownGrace()))
        .hasMessageContaining("keep-alive");
  }

  @Test
  void anUnexpectedExceptionMapsToInternalWithoutItsCause() {
    Status s = ErrorMappingInterceptor.toStatus("svc/M", new NullPointerException());
    assertThat(s.getCode()).isEqualTo(Status.Code.INTERNAL);
    assertThat(s.getDescription()).isEqualTo("internal error in svc/M: NullPointerException");
    assertThat(s.getCause()).isNull();
  }

  @Test
  void aStatusExceptionKeepsItsStatus() {
    Status s =
        ErrorMappingInterceptor.toStatus(
            "svc/M", new StatusRuntimeException(Status.UNAVAILABLE.withDescription("api server down")));
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(s.getDescription()).isEqualTo("api server down");
  }

  @Test
  void startingOnAnAddressInUseFailsWithTheReason() {
    GrpcServer first =
        GrpcServer.tcp(new HostPort("127.0.0.1", 0), Engines.fallback(new RecordingWriter(), SchedulingPolicy.BINPACK),
            GrpcServer.Settings.defaults()).start();
    try {
      GrpcServer second =
          GrpcServer.tcp(new HostPort("127.0.0.1", first.port()),
              Engines.fallback(new RecordingWriter(), SchedulingPolicy.BINPACK), GrpcServer.Settings.defaults());
      assertThatThrownBy(second::start)
          .isInstanceOf(java.io.UncheckedIOException.class)
          .hasMessageContaining("cannot start the gRPC server");
    } finally {
      first.stop();
    }
  }
}
