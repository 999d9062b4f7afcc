package io.github.volcanovgpu.bridge.bench;

/**
 * How the engine of a benchmark reads nodes: from its synced cache (the fast path: a request's node names are
 * enough) or from the request (the fallback that reads each NodeInfo's Tasks).
 */
public enum EngineCache {
  SYNCED,
  NONE
}
