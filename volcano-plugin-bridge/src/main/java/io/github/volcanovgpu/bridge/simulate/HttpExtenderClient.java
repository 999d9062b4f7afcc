package io.github.volcanovgpu.bridge.simulate;

import io.github.volcanovgpu.bridge.extender.EventResponse;
import io.github.volcanovgpu.bridge.extender.EvictionResponse;
import io.github.volcanovgpu.bridge.extender.PredicateResponse;
import io.github.volcanovgpu.bridge.extender.PrioritizeResponse;
import io.github.volcanovgpu.bridge.extender.VolcanoResponses;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.EvictionResult;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Volcano's extender plugin, client side: POSTs {@code <urlPrefix>/<verb>} with Volcano's JSON bodies and decodes
 * the answers as Volcano does (non-200 is an error; predicate passes on an empty {@code status}).
 */
public final class HttpExtenderClient implements ExtenderClient {
  private final HttpClient http;
  private final String urlPrefix;
  private final VolcanoRequests bodies;
  private final Duration timeout;

  public HttpExtenderClient(HttpClient http, String urlPrefix, VolcanoRequests bodies, Duration timeout) {
    this.http = Objects.requireNonNull(http, "http");
    this.urlPrefix = urlPrefix.endsWith("/") ? urlPrefix.substring(0, urlPrefix.length() - 1) : urlPrefix;
    this.bodies = Objects.requireNonNull(bodies, "bodies");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  public PredicateResult predicate(TaskView task, NodeView node) {
    PredicateResponse r = VolcanoResponses.predicate(post("predicate", bodies.predicate(task, node)));
    if (r.passes()) {
      return PredicateResult.fits();
    }
    return new PredicateResult(r.code() == 0 ? PredicateResult.ERROR : r.code(), r.status());
  }

  @Override
  public PrioritizeResult prioritize(TaskView task, List<NodeView> nodes) {
    PrioritizeResponse r = VolcanoResponses.prioritize(post("prioritize", bodies.prioritize(task, nodes)));
    if (!r.usable()) {
      return new PrioritizeResult(Map.of(),
          r.errorMessage().isEmpty() ? "prioritize answered without nodeScore" : r.errorMessage());
    }
    return PrioritizeResult.of(Objects.requireNonNull(r.nodeScore()));
  }

  @Override
  public EventResult allocate(TaskView task) {
    return event(VolcanoResponses.event(post("allocate", bodies.allocate(task))));
  }

  @Override
  public EventResult deallocate(TaskView task) {
    return event(VolcanoResponses.event(post("deallocate", bodies.deallocate(task))));
  }

  @Override
  public EvictionResult preemptable(TaskView evictor, List<TaskView> evictees) {
    EvictionResponse r = VolcanoResponses.eviction(post("preemptable", bodies.eviction(evictor, evictees)));
    if (r.status() != EvictionResult.PERMIT) {
      return new EvictionResult(r.status(), List.of(), "status " + r.status());
    }
    return new EvictionResult(EvictionResult.PERMIT, r.victims(), "permit");
  }

  private static EventResult event(EventResponse r) {
    return r.ok() ? EventResult.ok() : EventResult.failed(r.errorMessage());
  }

  private byte[] post(String verb, byte[] body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(urlPrefix + "/" + verb))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("extender " + verb + " at " + urlPrefix + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while calling extender " + verb, e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("failed " + verb + " with extender at URL " + urlPrefix + ", code "
          + response.statusCode() + ": " + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return response.body();
  }
}
