package io.github.volcanovgpu.bridge.grpc;

/**
 * A malformed gRPC request: names the offending field (a path such as {@code nodes[3].details.pods[0].uid}) and
 * what is wrong with it. Mapped to {@code INVALID_ARGUMENT} by {@link ErrorMappingInterceptor}.
 */
final class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InvalidRequestException(String field, String problem) {
    super(field + ": " + problem, null, false, false);
  }
}
