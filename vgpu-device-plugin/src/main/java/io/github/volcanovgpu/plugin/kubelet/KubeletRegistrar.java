package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.contract.kubelet.DevicePluginConstants;
import io.github.volcanovgpu.proto.kubelet.v1beta1.DevicePluginOptions;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegisterRequest;
import io.github.volcanovgpu.proto.kubelet.v1beta1.RegistrationGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Calls the kubelet's {@code Registration.Register} on {@code <dir>/kubelet.sock}. */
public final class KubeletRegistrar {
  public static final String KUBELET_SOCKET_NAME = "kubelet.sock";

  private final UnixTransport transport;
  private final Path kubeletSocket;
  private final Duration timeout;

  public KubeletRegistrar(UnixTransport transport, Path kubeletSocket, Duration timeout) {
    this.transport = transport;
    this.kubeletSocket = kubeletSocket;
    this.timeout = timeout;
  }

  /**
   * Registers one resource whose server already serves {@code endpoint} in the kubelet's directory.
   *
   * @throws RegistrationException naming the resource and the kubelet's answer
   */
  public void register(String resourceName, String endpoint, DevicePluginOptions options) {
    ManagedChannel channel = transport.channel(kubeletSocket);
    try {
      RegistrationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .register(RegisterRequest.newBuilder()
              .setVersion(DevicePluginConstants.VERSION)
              .setEndpoint(endpoint)
              .setResourceName(resourceName)
              .setOptions(options)
              .build());
    } catch (StatusRuntimeException e) {
      throw new RegistrationException("registering " + resourceName + " (endpoint " + endpoint + ") at "
          + kubeletSocket + " failed: " + e.getStatus().getCode() + " " + e.getStatus().getDescription(), e);
    } finally {
      channel.shutdownNow();
    }
  }

  /** The kubelet refused or could not be reached. */
  public static final class RegistrationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RegistrationException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
