package io.github.volcanovgpu.bridge.extender;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * What Volcano's encoding carries, the reader gives back: random pods and nodes (any text in names, annotations
 * and quantities, including quotes, backslashes, control characters and non-ASCII) written with
 * {@link VolcanoRequests}, read on every path (Jackson for the task, the scanner for NodeInfos, names only).
 */
class VolcanoJsonRoundTripProperties {
  private final VolcanoJsonReader reader = new VolcanoJsonReader();
  private final VolcanoRequests small = new VolcanoRequests(VolcanoFixtures.NOW);
  private final VolcanoRequests full = new VolcanoRequests(VolcanoFixtures.NOW, VolcanoRequests.PodDetail.FULL);

  @Property(tries = 200)
  void predicateBodiesReadBackOnBothPaths(@ForAll("tasks") TaskView task, @ForAll("nodes") NodeView node,
      @ForAll boolean fullPods) {
    byte[] body = (fullPods ? full : small).predicate(task, node);

    VolcanoJsonReader.PredicateRequest detailed = reader.readPredicate(body, 0, body.length, true);
    VolcanoJsonReader.PredicateRequest named = reader.readPredicate(body, 0, body.length, false);

    assertThat(detailed.task()).isEqualTo(task);
    assertThat(detailed.node()).isEqualTo(node);
    assertThat(named.task()).isEqualTo(task);
    assertThat(named.node()).isEqualTo(NodeView.named(node.name()));
  }

  @Property(tries = 100)
  void prioritizeAndSessionBodiesReadBack(@ForAll("tasks") TaskView task,
      @ForAll("nodeLists") List<NodeView> nodes) {
    byte[] prioritize = small.prioritize(task, nodes);
    byte[] session = small.onSessionOpen(List.of(task), nodes);

    assertThat(reader.readPrioritize(prioritize, 0, prioritize.length, true).nodes()).isEqualTo(nodes);
    assertThat(reader.readPrioritize(prioritize, 0, prioritize.length, false).nodes())
        .extracting(NodeView::name)
        .containsExactlyElementsOf(nodes.stream().map(NodeView::name).toList());
    assertThat(reader.readSessionNodes(session, 0, session.length))
        .containsExactlyInAnyOrderElementsOf(nodes.stream().distinct().toList());
  }

  @Provide
  Arbitrary<TaskView> tasks() {
    return Combinators.combine(pods(), Arbitraries.of(1, 2, 4, 32, 64), text(0, 12), stringMaps())
        .as((pod, status, node, podAnnotations) -> new TaskView(pod, status, node, podAnnotations));
  }

  @Provide
  Arbitrary<NodeView> nodes() {
    return Combinators.combine(text(1, 20), stringMaps(), stringMaps(), pods().list().ofMaxSize(4))
        .as(NodeView::of);
  }

  @Provide
  Arbitrary<List<NodeView>> nodeLists() {
    // node names unique: onSessionOpen keys nodes by name
    return nodes().list().ofMaxSize(4).uniqueElements(NodeView::name);
  }

  private Arbitrary<PodView> pods() {
    Arbitrary<PodView> identity = Combinators.combine(text(1, 24), text(0, 12), text(0, 16), stringMaps())
        .as((uid, namespace, name, annotations) -> new PodView(uid, namespace, name, annotations, List.of(), List.of(),
            "", "", ""));
    return Combinators.combine(identity, containers(), containers(), text(0, 12),
        Arbitraries.of("", "Pending", "Running", "Succeeded"), text(0, 8))
        .as((p, containers, init, node, phase, rv) -> new PodView(p.uid(), p.namespace(), p.name(),
            p.annotations(), containers, init, node, phase, rv));
  }

  private Arbitrary<List<ContainerView>> containers() {
    return Combinators.combine(text(0, 10), stringMaps(), stringMaps()).as(ContainerView::new).list().ofMaxSize(3);
  }

  private static Arbitrary<Map<String, String>> stringMaps() {
    return Arbitraries.maps(text(0, 40), text(0, 40)).ofMaxSize(12);
  }

  /** Any text: ASCII most of the time, with quotes, backslashes, controls and non-ASCII characters mixed in. */
  private static Arbitrary<String> text(int min, int max) {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').withChars("-./0123456789").ofMinLength(min).ofMaxLength(max),
        Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\ufffd')
            .ofMinLength(min).ofMaxLength(max),
        Arbitraries.strings().withChars("\"\\/\b\f\n\r\t\u0000\u001fé€\u2028aZ").ofMinLength(min)
            .ofMaxLength(max));
  }
}
