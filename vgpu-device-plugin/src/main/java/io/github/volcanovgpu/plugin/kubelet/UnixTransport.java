package io.github.volcanovgpu.plugin.kubelet;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** gRPC over unix domain sockets (Netty epoll); owns one small event loop group. Linux only. */
public final class UnixTransport implements AutoCloseable {
  private final EventLoopGroup group;

  public UnixTransport() {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("unix-socket gRPC needs Netty epoll (Linux x86_64): "
          + Epoll.unavailabilityCause());
    }
    this.group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
  }

  /** A server on {@code socket} (not yet started). */
  public Server server(Path socket, BindableService service) {
    return NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .addService(service)
        .maxInboundMessageSize(16 * 1024 * 1024)
        .build();
  }

  /** A plaintext channel to {@code socket}, authority {@code localhost} as the kubelet uses. */
  public ManagedChannel channel(Path socket) {
    return channel(socket, 16 * 1024 * 1024);
  }

  /** {@link #channel(Path)} receiving messages of at most {@code maxInboundBytes} (a test kubelet: the kubelet's). */
  public ManagedChannel channel(Path socket, int maxInboundBytes) {
    return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class)
        .eventLoopGroup(group)
        .usePlaintext()
        .overrideAuthority("localhost")
        .maxInboundMessageSize(maxInboundBytes)
        .build();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
