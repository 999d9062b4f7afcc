package io.github.volcanovgpu.bridge.extender;

import io.github.volcanovgpu.bridge.explain.ExplanationJson;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PredicateRequest;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PrioritizeRequest;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.scheduling.EventResult;
import io.github.volcanovgpu.bridge.scheduling.EvictionResult;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.scheduling.PredicateResult;
import io.github.volcanovgpu.bridge.scheduling.PrioritizeResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Volcano extender verbs over bytes, independent of the transport: reads a request body
 * ({@link VolcanoJsonReader}), asks the {@link PlacementEngine} and answers with {@link VolcanoResponses}, exactly as
 * Volcano decodes it (reference volcano-vgpu.md §2.3):
 *
 * <ul>
 *   <li>predicate: {@code {"status":"<reason>","code":2}}, {@code {"status":"","code":0}} when the pod fits;
 *   <li>prioritize: {@code {"nodeScore":{"n1":12.5},"errorMessage":""}}, never a null {@code nodeScore};
 *   <li>allocate / deallocate: {@code {"errorMessage":""}};
 *   <li>preemptable / reclaimable: {@code {"status":1,"victims":[TaskInfo...]}} (the chosen evictees' TaskInfos as
 *       sent), status 0 Abstain or -1 Reject with no victims;
 *   <li>onSessionOpen / onSessionClose: {@code {}}.
 * </ul>
 *
 * <p>A body that is not what the verb expects gets HTTP 400 with {@code {"error":"..."}} naming what was wrong. An
 * exception escaping the engine is logged once with its stack trace and answered with HTTP 200 carrying
 * {@code internal error: <message>} in the verb's error field (predicate code 1), so Volcano treats it as a
 * failed check rather than a transport error. Thread-safe.
 */
public final class ExtenderEndpoint {
  private static final Logger log = LoggerFactory.getLogger(ExtenderEndpoint.class);
  private static final ExtenderReply PREDICATE_FITS =
      new ExtenderReply(200, VolcanoResponses.write(new PredicateResponse("", PredicateResult.SUCCESS)));
  private static final ExtenderReply EVENT_OK = new ExtenderReply(200, VolcanoResponses.write(new EventResponse("")));

  private final PlacementEngine engine;
  private final Supplier<Optional<String>> allocateRefusal;
  private final VolcanoJsonReader reader;

  public ExtenderEndpoint(PlacementEngine engine) {
    this(engine, Optional::empty);
  }

  /**
   * @param allocateRefusal asked before every allocate: a reason refuses it (answered in {@code errorMessage}, so
   *     Volcano rolls the task back), empty lets it through. A sidecar replica that is not the leader refuses, so
   *     two replicas never hand out shares at the same time.
   */
  public ExtenderEndpoint(PlacementEngine engine, Supplier<Optional<String>> allocateRefusal) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.allocateRefusal = Objects.requireNonNull(allocateRefusal, "allocateRefusal");
    this.reader = new VolcanoJsonReader();
  }

  public ExtenderReply handle(ExtenderVerb verb, byte[] body) {
    return handle(verb, body, 0, body.length);
  }

  /** Answers one request; never throws for bad input. */
  public ExtenderReply handle(ExtenderVerb verb, byte[] body, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, body.length);
    try {
      return switch (verb) {
        case PREDICATE -> predicate(body, offset, length);
        case PRIORITIZE -> prioritize(body, offset, length);
        case ALLOCATE -> event(verb, body, offset, length);
        case DEALLOCATE -> event(verb, body, offset, length);
        case PREEMPTABLE, RECLAIMABLE -> eviction(verb, body, offset, length);
        case ON_SESSION_OPEN -> sessionOpen(body, offset, length);
        case ON_SESSION_CLOSE -> sessionClose();
      };
    } catch (RequestBodyException e) {
      log.warn("rejected {} request: {}", verb.wireName(), e.getMessage());
      return badRequest(e.getMessage());
    }
  }

  /** An HTTP 400 answer {@code {"error": message}}. */
  ExtenderReply badRequest(String message) {
    return new ExtenderReply(400, VolcanoResponses.badRequest(message));
  }

  // ------------------------------------------------------------------------------------------------ verbs

  private ExtenderReply predicate(byte[] body, int offset, int length) {
    PredicateResult result;
    PredicateRequest request = null;
    try {
      boolean details = engine.needsNodeDetails();
      request = reader.readPredicate(body, offset, length, details);
      result = engine.predicate(request.task(), request.node());
      Objects.requireNonNull(result, "engine returned no predicate result");
    } catch (RequestBodyException e) {
      throw e;
    } catch (RuntimeException e) {
      logEngineFailure("predicate", request == null ? null : request.task(),
          request == null ? "" : request.node().name(), e);
      result = PredicateResult.error(internalError(e));
    }
    if (result.isSuccess()) {
      return PREDICATE_FITS;
    }
    return ok(VolcanoResponses.write(new PredicateResponse(result.reason(), result.code())));
  }

  private ExtenderReply prioritize(byte[] body, int offset, int length) {
    PrioritizeResult result;
    PrioritizeRequest request = null;
    try {
      boolean details = engine.needsNodeDetails();
      request = reader.readPrioritize(body, offset, length, details);
      result = engine.prioritize(request.task(), request.nodes());
      Objects.requireNonNull(result, "engine returned no prioritize result");
    } catch (RequestBodyException e) {
      throw e;
    } catch (RuntimeException e) {
      logEngineFailure("prioritize", request == null ? null : request.task(), "", e);
      result = new PrioritizeResult(Map.of(), internalError(e));
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    result.nodeScores().forEach((node, score) -> {
      if (!Double.isFinite(score)) {
        // Go's decoder cannot read NaN/Infinity: the whole answer would be lost
        log.warn("engine gave node {} the score {}; sending 0", node, score);
        score = 0.0;
      }
      scores.put(node, score);
    });
    return ok(VolcanoResponses.write(new PrioritizeResponse(scores, result.errorMessage())));
  }

  private ExtenderReply event(ExtenderVerb verb, byte[] body, int offset, int length) {
    TaskView task = reader.readEventTask(body, offset, length, verb.wireName());
    EventResult result;
    try {
      Optional<String> refused = verb == ExtenderVerb.ALLOCATE ? allocateRefusal.get() : Optional.empty();
      if (refused.isPresent()) {
        log.warn("refused allocate of {}: {}", task.pod().key(), refused.get());
        result = EventResult.failed("allocate of pod " + task.pod().key() + " refused: " + refused.get());
      } else {
        result = verb == ExtenderVerb.ALLOCATE ? engine.allocate(task) : engine.deallocate(task);
      }
      Objects.requireNonNull(result, "engine returned no result");
    } catch (RuntimeException e) {
      logEngineFailure(verb.wireName(), task, task.nodeName(), e);
      result = EventResult.failed(internalError(e));
    }
    if (result.isOk()) {
      return EVENT_OK;
    }
    return ok(VolcanoResponses.write(new EventResponse(result.errorMessage())));
  }

  private ExtenderReply eviction(ExtenderVerb verb, byte[] body, int offset, int length) {
    VolcanoJsonReader.EvictionRequest request = reader.readEviction(body, offset, length, verb.wireName());
    EvictionResult result;
    try {
      result = engine.victims(request.evictor(),
          request.evictees().stream().map(VolcanoJsonReader.Evictee::task).toList());
      Objects.requireNonNull(result, "engine returned no eviction result");
    } catch (RuntimeException e) {
      logEngineFailure(verb.wireName(), request.evictor(), "", e);
      result = new EvictionResult(EvictionResult.ABSTAIN, List.of(), internalError(e));
    }
    log.debug("{} for {}: status {} ({}), victims {}", verb.wireName(), request.evictor().pod().key(),
        result.status(), result.reason(), result.victimUids());
    List<String> victims = new java.util.ArrayList<>(result.victimUids().size());
    for (String uid : result.victimUids()) {
      for (VolcanoJsonReader.Evictee e : request.evictees()) {
        if (e.task().pod().uid().equals(uid)) {
          victims.add(e.json());
          break;
        }
      }
    }
    return ok(VolcanoResponses.write(new EvictionResponse(result.status(), victims)));
  }

  private ExtenderReply sessionOpen(byte[] body, int offset, int length) {
    try {
      // the snapshot is parsed only when the engine has no synced cache to read nodes from
      List<NodeView> nodes =
          engine.needsNodeDetails() ? reader.readSessionNodes(body, offset, length) : List.of();
      engine.openSession(nodes);
    } catch (RequestBodyException e) {
      throw e;
    } catch (RuntimeException e) {
      // Volcano does not read this answer; a non-200 would disable every other verb for the session
      logEngineFailure("onSessionOpen", null, "", e);
    }
    return ok(VolcanoResponses.sessionAnswer());
  }

  private ExtenderReply sessionClose() {
    try {
      engine.closeSession();
    } catch (RuntimeException e) {
      logEngineFailure("onSessionClose", null, "", e);
    }
    return ok(VolcanoResponses.sessionAnswer());
  }

  // ----------------------------------------------------------------------------------------------- explain

  /**
   * {@code GET /explain?pod=NS/NAME} or {@code ?vcjob=NS/NAME}: why the pod (or the vcjob's pods) does not fit
   * now, as {@link ExplanationJson}. 400 naming what was wrong for a bad query, 404 when the cluster state holds no
   * such pod or vcjob.
   *
   * @param query the raw query string (after {@code ?}), percent-encoded
   */
  public ExtenderReply explain(String query) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = decode(eq < 0 ? part : part.substring(0, eq));
      String value = eq < 0 ? "" : decode(part.substring(eq + 1));
      if (key == null || value == null) {
        return badRequest("explain: the query is not valid percent-encoding: " + part);
      }
      if (!key.equals("pod") && !key.equals("vcjob")) {
        return badRequest("explain: unknown query parameter \"" + key + "\" (use pod=NS/NAME or vcjob=NS/NAME)");
      }
      if (params.put(key, value) != null) {
        return badRequest("explain: " + key + " given twice");
      }
    }
    if (params.size() != 1) {
      return badRequest("explain: give exactly one of pod=NS/NAME or vcjob=NS/NAME");
    }
    Map.Entry<String, String> e = params.entrySet().iterator().next();
    String[] ref = e.getValue().split("/", -1);
    if (ref.length != 2 || ref[0].isEmpty() || ref[1].isEmpty()) {
      return badRequest("explain: " + e.getKey() + " must be NAMESPACE/NAME, got \"" + e.getValue() + "\"");
    }
    Optional<io.github.volcanovgpu.bridge.scheduling.Explanation> found;
    try {
      found = e.getKey().equals("pod") ? engine.explainPod(ref[0], ref[1]) : engine.explainJob(ref[0], ref[1]);
    } catch (RuntimeException ex) {
      log.error("explain of {} {} failed inside the placement engine", e.getKey(), e.getValue(), ex);
      return new ExtenderReply(500, VolcanoResponses.badRequest(internalError(ex)));
    }
    if (found.isEmpty()) {
      return new ExtenderReply(404, VolcanoResponses.badRequest("explain: no " + e.getKey() + " " + e.getValue()
          + " in the sidecar's cluster state" + (engine.needsNodeDetails()
              ? " (it has no synced Kubernetes cache: explain needs one)" : "")));
    }
    return ok(ExplanationJson.write(found.get()));
  }

  private static @Nullable String decode(String s) {
    try {
      return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ----------------------------------------------------------------------------------------------- helpers

  private static void logEngineFailure(String verb, @Nullable TaskView task, String node, RuntimeException e) {
    String pod = task == null ? "-" : task.pod().key();
    log.error("{} failed inside the placement engine (pod {}, node {})", verb, pod,
        node.isEmpty() ? "-" : node, e);
  }

  private static String internalError(RuntimeException e) {
    String m = e.getMessage();
    return "internal error: " + (m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
  }

  private static ExtenderReply ok(byte[] body) {
    return new ExtenderReply(200, body);
  }
}
