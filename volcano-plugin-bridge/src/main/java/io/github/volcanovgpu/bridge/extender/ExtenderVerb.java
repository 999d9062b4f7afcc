package io.github.volcanovgpu.bridge.extender;

/** The Volcano extender verbs this sidecar serves, with the path Volcano POSTs to ({@code <urlPrefix>/<verb>}). */
public enum ExtenderVerb {
  PREDICATE("predicate"),
  PRIORITIZE("prioritize"),
  ALLOCATE("allocate"),
  DEALLOCATE("deallocate"),
  PREEMPTABLE("preemptable"),
  RECLAIMABLE("reclaimable"),
  ON_SESSION_OPEN("onSessionOpen"),
  ON_SESSION_CLOSE("onSessionClose");

  private final String wireName;

  ExtenderVerb(String wireName) {
    this.wireName = wireName;
  }

  /** The verb as configured in {@code extender.*Verb} and used in the URL path, e.g. {@code onSessionOpen}. */
  public String wireName() {
    return wireName;
  }

  /** {@code "/" + wireName()}. */
  public String path() {
    return "/" + wireName;
  }
}
