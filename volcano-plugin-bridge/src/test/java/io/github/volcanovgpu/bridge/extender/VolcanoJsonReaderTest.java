package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.extender.VolcanoFixtures.REQUESTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PredicateRequest;
import io.github.volcanovgpu.bridge.extender.VolcanoJsonReader.PrioritizeRequest;
import io.github.volcanovgpu.bridge.model.NodeView;
import io.github.volcanovgpu.bridge.model.TaskStatus;
import io.github.volcanovgpu.bridge.model.TaskView;
import io.github.volcanovgpu.bridge.simulate.VolcanoRequests;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VolcanoJsonReaderTest {
  private final VolcanoJsonReader reader = new VolcanoJsonReader();
  private final NodeView node = VolcanoFixtures.realisticNode("gpu-node-1");
  private final TaskView task = VolcanoFixtures.pendingTask("job-x", 1, 3000, 20);

  // ---------------------------------------------------------------------------------------------- predicate

  @Test
  void fastPathReadsTheWholeTaskAndOnlyTheNodeName() {
    byte[] body = REQUESTS.predicate(task, node);

    PredicateRequest r = reader.readPredicate(body, 0, body.length, false);

    assertThat(r.task()).isEqualTo(task);
    assertThat(r.node()).isEqualTo(NodeView.named("gpu-node-1"));
  }

  @Test
  void fallbackReadsNodeAnnotationsAllocatableAndEveryPodOfItsTasks() {
    byte[] body = REQUESTS.predicate(task, node);

    PredicateRequest r = reader.readPredicate(body, 0, body.length, true);

    assertThat(r.task()).isEqualTo(task);
    assertThat(r.node()).isEqualTo(node);
    assertThat(r.node().pods()).hasSize(40);
  }

  @Test
  void fullPodsReadTheSameAsSmallPods() {
    VolcanoRequests full = new VolcanoRequests(VolcanoFixtures.NOW, VolcanoRequests.PodDetail.FULL);
    byte[] body = full.predicate(task, node);

    PredicateRequest r = reader.readPredicate(body, 0, body.length, true);

    assertThat(r.task()).isEqualTo(task);
    assertThat(r.node()).isEqualTo(node);
  }

  @Test
  void fastPathDoesNotTokenizeTheBodyAfterTheNodeName() {
    byte[] full = REQUESTS.predicate(task, node);
    String text = new String(full, StandardCharsets.UTF_8);
    int cut = text.indexOf("\"node\":{\"Name\":\"gpu-node-1\"") + "\"node\":{\"Name\":\"gpu-node-1\"".length();
    // everything after the node's name replaced by garbage that no JSON parser accepts
    byte[] body = (text.substring(0, cut) + ",\"Node\":{]]] not json").getBytes(StandardCharsets.UTF_8);

    assertThat(reader.readPredicate(body, 0, body.length, false).node().name()).isEqualTo("gpu-node-1");
    assertThatThrownBy(() -> reader.readPredicate(body, 0, body.length, true))
        .isInstanceOf(RequestBodyException.class)
        .hasMessageStartingWith("malformed JSON in predicate body at byte ");
  }

  @Test
  void nodeNameIsFoundWhenItIsNotTheFirstField() {
    byte[] body = json("{'task':" + taskJson() + ",'node':{'State':{'Phase':1},'Tasks':{'a':{'UID':'a'}},"
        + "'Name':'n7','Idle':{}}}");

    assertThat(reader.readPredicate(body, 0, body.length, false).node()).isEqualTo(NodeView.named("n7"));
    assertThat(reader.readPredicate(body, 0, body.length, true).node().name()).isEqualTo("n7");
  }

  @Test
  void nodeBeforeTaskIsReadOnBothPaths() {
    byte[] body = json("{'node':{'Name':'n1','Tasks':{}},'task':" + taskJson() + "}");

    PredicateRequest fast = reader.readPredicate(body, 0, body.length, false);
    PredicateRequest slow = reader.readPredicate(body, 0, body.length, true);

    assertThat(fast.node().name()).isEqualTo("n1");
    assertThat(fast.task().pod().uid()).isEqualTo("u1");
    assertThat(slow.task()).isEqualTo(fast.task());
  }

  @Test
  void keysAreMatchedCaseInsensitivelyAsGoDoes() {
    byte[] body = json("{'TASK':{'uid':'u1','name':'p','NAMESPACE':'ns','status':2,'nodename':'n1',"
        + "'podannotations':{'a':'b'},'POD':{'Metadata':{'UID':'u1','Annotations':{'k':'v'}},"
        + "'Spec':{'Containers':[{'Name':'c','Resources':{'Limits':{'volcano.sh/vgpu-number':'1'}}}]},"
        + "'STATUS':{'Phase':'Pending'}}},'Node':{'name':'n1'}}");

    TaskView t = reader.readPredicate(body, 0, body.length, false).task();

    assertThat(t.status()).isEqualTo(TaskStatus.ALLOCATED);
    assertThat(t.nodeName()).isEqualTo("n1");
    assertThat(t.podAnnotations()).isEqualTo(Map.of("a", "b"));
    assertThat(t.pod().namespace()).isEqualTo("ns");
    assertThat(t.pod().annotations()).isEqualTo(Map.of("k", "v"));
    assertThat(t.pod().containers().get(0).limits()).containsEntry("volcano.sh/vgpu-number", "1");
    assertThat(t.pod().phase()).isEqualTo("Pending");
  }

  @Test
  void unknownFieldsAndNullsAreIgnored() {
    byte[] body = json("{'apiVersion':'x','task':{'UID':'u1','Future':{'deep':[1,{'a':null}]},'LastTransaction':null,"
        + "'PodAnnotations':null,'Pod':{'metadata':{'labels':null,'annotations':null},'spec':{'containers':null,"
        + "'volumes':[{}]},'status':null}},'node':{'Name':'n1','Node':null,'Tasks':null},'extra':[true,false]}");

    PredicateRequest r = reader.readPredicate(body, 0, body.length, true);

    assertThat(r.task().pod().uid()).isEqualTo("u1");
    assertThat(r.task().pod().containers()).isEmpty();
    assertThat(r.node()).isEqualTo(NodeView.of("n1", Map.of(), Map.of(), List.of()));
  }

  @Test
  void taskUidFallsBackToThePodUid() {
    byte[] body = json("{'task':{'Pod':{'metadata':{'uid':'pod-uid','name':'p','namespace':'ns'}}},"
        + "'node':{'Name':'n1'}}");

    TaskView t = reader.readPredicate(body, 0, body.length, false).task();

    assertThat(t.pod().uid()).isEqualTo("pod-uid");
    assertThat(t.pod().key()).isEqualTo("ns/p");
  }

  @Test
  void quantitiesGivenAsNumbersAreReadAsText() {
    byte[] body = json("{'task':{'UID':'u','Pod':{'spec':{'containers':[{'name':'c','resources':{'limits':"
        + "{'volcano.sh/vgpu-number':2,'volcano.sh/vgpu-memory':3000}}}]}}},'node':{'Name':'n'}}");

    assertThat(reader.readPredicate(body, 0, body.length, false).task().pod().containers().get(0).limits())
        .isEqualTo(Map.of("volcano.sh/vgpu-number", "2", "volcano.sh/vgpu-memory", "3000"));
  }

  @Test
  void nodeDetailsToleratesEmptyAndNullPartsEscapedKeysAndGoHtmlEscapes() {
    byte[] body = json("{'task':" + taskJson() + ",'node':{'N\\u0061me':'n1','Node':{'metadata':{},"
        + "'status':null},'Tasks':{'t0':{},'t1':null,'t2':{'UID':'u2','Pod':{'metadata':{'annotations':"
        + "{'a':'x\\u003cy\\u0026z','\\u00e9':'caf\\u00e9 \\\\ \\/'}},'spec':{},'status':{}}},"
        + "'t3':{'Pod':null}}}}");

    NodeView n = reader.readPredicate(body, 0, body.length, true).node();

    assertThat(n.name()).isEqualTo("n1");
    assertThat(n.annotations()).isEmpty();
    assertThat(n.pods()).extracting(p -> p.uid()).containsExactly("t0", "u2", "t3");
    assertThat(n.pods().get(1).annotations()).isEqualTo(Map.of("a", "x<y&z", "\u00e9", "caf\u00e9 \\ /"));
  }

  // ----------------------------------------------------------------------------------------- bad bodies

  @Test
  void emptyBodyIsRejectedWithTheExpectedShape() {
    assertThatThrownBy(() -> reader.readEventTask(new byte[0], 0, 0, "allocate"))
        .isInstanceOf(RequestBodyException.class)
        .hasMessage("empty allocate body: expected a JSON object {\"task\": TaskInfo}");
    byte[] blank = json("  \n ");
    assertThatThrownBy(() -> reader.readPredicate(blank, 0, blank.length, false))
        .hasMessageStartingWith("empty predicate body");
  }

  @Test
  void malformedJsonNamesTheByteThePathAndTheProblem() {
    byte[] body = json("{'task': {'UID': 'u1',, }");

    assertThatThrownBy(() -> reader.readPredicate(body, 0, body.length, true))
        .isInstanceOf(RequestBodyException.class)
        .hasMessage("malformed JSON in predicate body at byte 22 (in task): expected '\"' but found ','");
  }

  @Test
  void truncatedBodyIsMalformed() {
    byte[] full = REQUESTS.predicate(task, node);
    int half = full.length / 2;

    assertThatThrownBy(() -> reader.readPredicate(full, 0, half, true))
        .hasMessageStartingWith("malformed JSON in predicate body")
        .hasMessageContaining("end-of-input");
  }

  @Test
  void wrongTypesNameTheFieldPath() {
    assertThatThrownBy(() -> readPredicate("{'task':5,'node':{'Name':'n'}}"))
        .hasMessage("task: expected a TaskInfo object, got an integer");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Status':'2','Pod':{}},'node':{'Name':'n'}}"))
        .hasMessage("task.Status: expected an integer (TaskStatus), got a string");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Status':2.5,'Pod':{}},'node':{'Name':'n'}}"))
        .hasMessage("task.Status: expected an integer (TaskStatus), got a number with a fraction");
    assertThatThrownBy(() -> readPredicate(
        "{'task':{'UID':'u','Pod':{'metadata':{'annotations':{'a':true}}}},'node':{'Name':'n'}}"))
        .hasMessage("task.Pod.metadata.annotations[\"a\"]: expected a string, got a boolean");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Pod':{'spec':{'containers':{}}}},'node':{'Name':'n'}}"))
        .hasMessage("task.Pod.spec.containers: expected an array of containers, got an object");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Pod':{}},'node':{'Name':7}}"))
        .hasMessage("node.Name: expected a string, got an integer");
    assertThatThrownBy(() -> readPredicate("[1,2]"))
        .hasMessageStartingWith("predicate body: expected a JSON object {\"task\": TaskInfo, \"node\": NodeInfo},"
            + " got an array");
  }

  @Test
  void missingPartsAreNamed() {
    assertThatThrownBy(() -> readPredicate("{'node':{'Name':'n'}}"))
        .hasMessage("predicate body has no \"task\"");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Pod':{}}}"))
        .hasMessage("predicate body has no \"node\"");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u'},'node':{'Name':'n'}}"))
        .hasMessageStartingWith("task.Pod is missing");
    assertThatThrownBy(() -> readPredicate("{'task':{'Pod':{}},'node':{'Name':'n'}}"))
        .hasMessage("task has neither UID nor Pod.metadata.uid");
    assertThatThrownBy(() -> readPredicate("{'task':{'UID':'u','Pod':{}},'node':{'State':{}}}"))
        .hasMessage("node has no \"Name\"");
  }

  // --------------------------------------------------------------------------------------------- prioritize

  @Test
  void prioritizeByNamesMatchesTheDetailedRead() {
    List<NodeView> nodes = List.of(node, VolcanoFixtures.gpuNode("gpu-node-2", 4, 3), VolcanoFixtures.gpuNode(
        "gpu-node-3", 2, 0));
    byte[] body = REQUESTS.prioritize(task, nodes);

    PrioritizeRequest fast = reader.readPrioritize(body, 0, body.length, false);
    PrioritizeRequest slow = reader.readPrioritize(body, 0, body.length, true);

    assertThat(fast.task()).isEqualTo(task);
    assertThat(slow.task()).isEqualTo(task);
    assertThat(fast.nodes()).extracting(NodeView::name).containsExactly("gpu-node-1", "gpu-node-2", "gpu-node-3");
    assertThat(fast.nodes()).allMatch(n -> !n.detailed());
    assertThat(slow.nodes()).isEqualTo(nodes);
  }

  @Test
  void prioritizeByNamesHandlesEscapesWhitespaceNullsAndNameNotFirst() {
    byte[] body = json(" { 'nodes' : [ { 'Name' : 'a\\u0062c' } , null , {'Idle':{'x':'}]\\\"'},'name':'n2'},"
        + " {\"Tasks\":{},\"NAME\":\"n3\"} ] , 'task' : " + taskJson() + " } ");

    PrioritizeRequest r = reader.readPrioritize(body, 0, body.length, false);

    assertThat(r.nodes()).extracting(NodeView::name).containsExactly("abc", "n2", "n3");
    assertThat(r.task().pod().uid()).isEqualTo("u1");
  }

  @Test
  void prioritizeByNamesReportsBrokenStructure() {
    assertThatThrownBy(() -> readPrioritizeNames("{'task':" + taskJson() + ",'nodes':[{'Name':'a'}"))
        .isInstanceOf(RequestBodyException.class)
        .hasMessageStartingWith("malformed JSON in prioritize body at byte ")
        .hasMessageEndingWith("(in nodes): unexpected end-of-input");
    assertThatThrownBy(() -> readPrioritizeNames("{'task':" + taskJson() + ",'nodes':{}}"))
        .hasMessage("nodes: expected an array of NodeInfo, got an object");
    assertThatThrownBy(() -> readPrioritizeNames("{'task':" + taskJson() + ",'nodes':[{'Idle':{}}]}"))
        .hasMessage("nodes[0] has no \"Name\"");
    assertThatThrownBy(() -> readPrioritizeNames("{'task':" + taskJson() + "}"))
        .hasMessage("prioritize body has no \"nodes\"");
    assertThatThrownBy(() -> readPrioritizeNames("{'task':{'UID':'u','Status':'x','Pod':{}},'nodes':[]}"))
        .hasMessage("task.Status: expected an integer (TaskStatus), got a string");
    assertThatThrownBy(() -> readPrioritizeNames(""))
        .hasMessageStartingWith("empty prioritize body");
  }

  @Test
  void prioritizeWithNullNodesHasNoCandidates() {
    assertThat(readPrioritizeNames("{'task':" + taskJson() + ",'nodes':null}").nodes()).isEmpty();
    byte[] body = json("{'task':" + taskJson() + ",'nodes':null}");
    assertThat(reader.readPrioritize(body, 0, body.length, true).nodes()).isEmpty();
  }

  // ----------------------------------------------------------------------------------- events and session

  @Test
  void eventTaskCarriesNodeStatusAndPodAnnotations() {
    TaskView allocated = VolcanoFixtures.allocated(task, "gpu-node-1");
    byte[] body = REQUESTS.allocate(allocated);

    assertThat(reader.readEventTask(body, 0, body.length, "allocate")).isEqualTo(allocated);
  }

  @Test
  void sessionOpenReadsDetailedNodesAndSkipsJobs() {
    List<NodeView> nodes = List.of(node, VolcanoFixtures.gpuNode("gpu-node-2", 2, 1));
    byte[] body = REQUESTS.onSessionOpen(List.of(task), nodes);

    assertThat(reader.readSessionNodes(body, 0, body.length)).isEqualTo(nodes);
  }

  @Test
  void readsASliceOfALargerArray() {
    byte[] body = REQUESTS.predicate(task, node);
    byte[] padded = new byte[body.length + 20];
    Arrays.fill(padded, (byte) '#');
    System.arraycopy(body, 0, padded, 10, body.length);

    assertThat(reader.readPredicate(padded, 10, body.length, true).node()).isEqualTo(node);
    assertThat(reader.readPrioritize(REQUESTS.prioritize(task, List.of(node)), 0,
        REQUESTS.prioritize(task, List.of(node)).length, false).nodes()).hasSize(1);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private PredicateRequest readPredicate(String singleQuoted) {
    byte[] body = json(singleQuoted);
    return reader.readPredicate(body, 0, body.length, false);
  }

  private PrioritizeRequest readPrioritizeNames(String singleQuoted) {
    byte[] body = json(singleQuoted);
    return reader.readPrioritize(body, 0, body.length, false);
  }

  private static String taskJson() {
    return "{'UID':'u1','Name':'p1','Namespace':'ns','Pod':{'metadata':{'uid':'u1'},'spec':{'containers':"
        + "[{'name':'c','resources':{'limits':{'volcano.sh/vgpu-number':'1'}}}]}}}";
  }

  /** JSON written with single quotes for readability. */
  static byte[] json(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }
}
