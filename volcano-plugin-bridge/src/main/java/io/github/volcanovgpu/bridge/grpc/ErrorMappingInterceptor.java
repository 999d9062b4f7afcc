package io.github.volcanovgpu.bridge.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where exceptions thrown by a service method become a gRPC status: {@link InvalidRequestException}
 * becomes {@code INVALID_ARGUMENT} with its field path and problem; a {@link StatusRuntimeException} keeps its
 * status; anything else becomes {@code INTERNAL} with a short description (the exception's type and message, never
 * a stack trace), and is logged here with its stack trace.
 */
final class ErrorMappingInterceptor implements ServerInterceptor {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMappingInterceptor.class);
  private static final int MAX_DESCRIPTION = 300;

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> delegate = next.startCall(call, headers);
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        try {
          super.onMessage(message);
        } catch (RuntimeException | Error e) {
          fail(call, e);
        }
      }

      @Override
      public void onHalfClose() {
        try {
          super.onHalfClose();
        } catch (RuntimeException | Error e) {
          fail(call, e);
        }
      }
    };
  }

  private static void fail(ServerCall<?, ?> call, Throwable e) {
    Status status = toStatus(call.getMethodDescriptor().getFullMethodName(), e);
    try {
      call.close(status, new Metadata());
    } catch (IllegalStateException alreadyClosed) {
      LOG.warn("{} failed after its response was sent: {}", call.getMethodDescriptor().getFullMethodName(),
          status.getDescription());
    }
  }

  /** The status a failure of {@code method} is answered with. */
  static Status toStatus(String method, Throwable e) {
    if (e instanceof InvalidRequestException) {
      LOG.debug("{} rejected: {}", method, e.getMessage());
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
    }
    if (e instanceof StatusRuntimeException s) {
      return s.getStatus();
    }
    if (e instanceof StatusException s) {
      return s.getStatus();
    }
    LOG.error("{} failed unexpectedly", method, e);
    String message = e.getMessage();
    String description = "internal error in " + method + ": " + e.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
    if (description.length() > MAX_DESCRIPTION) {
      description = description.substring(0, MAX_DESCRIPTION - 3) + "...";
    }
    return Status.INTERNAL.withDescription(description);
  }
}
