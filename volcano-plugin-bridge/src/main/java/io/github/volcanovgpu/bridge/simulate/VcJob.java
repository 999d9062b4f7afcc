package io.github.volcanovgpu.bridge.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.github.volcanovgpu.bridge.model.ContainerView;
import io.github.volcanovgpu.bridge.model.PodView;
import io.github.volcanovgpu.contract.annotation.VgpuAnnotations;
import io.github.volcanovgpu.contract.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Volcano Job ({@code batch.volcano.sh/v1alpha1}, kind {@code Job}) reduced to what scheduling needs: tasks with
 * replicas and pod templates, {@code minAvailable} (the gang), the queue and {@code spec.priorityClassName} (empty
 * when none).
 */
public record VcJob(String namespace, String name, String queue, int minAvailable, List<Task> tasks,
    String priorityClassName) {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public VcJob {
    tasks = List.copyOf(tasks);
    java.util.Objects.requireNonNull(priorityClassName, "priorityClassName");
  }

  /** A job without a priority class. */
  public VcJob(String namespace, String name, String queue, int minAvailable, List<Task> tasks) {
    this(namespace, name, queue, minAvailable, tasks, "");
  }

  /** One task of the job: {@code replicas} pods from one template. */
  public record Task(String name, int replicas, Map<String, String> annotations, List<ContainerView> containers,
      List<ContainerView> initContainers) {
    public Task {
      annotations = Map.copyOf(annotations);
      containers = List.copyOf(containers);
      initContainers = List.copyOf(initContainers);
    }
  }

  /** The pods Volcano's job controller creates, named {@code <job>-<task>-<index>}, with the pod-group name. */
  public List<PodView> pods() {
    List<PodView> pods = new ArrayList<>();
    for (Task t : tasks) {
      for (int i = 0; i < t.replicas(); i++) {
        Map<String, String> a = new LinkedHashMap<>(t.annotations());
        a.put(VgpuAnnotations.K8S_GROUP_NAME, name);
        a.put("volcano.sh/job-name", name);
        a.put("volcano.sh/task-spec", t.name());
        String pod = name + "-" + t.name() + "-" + i;
        pods.add(new PodView(namespace + "-" + pod, namespace, pod, a, t.containers(), t.initContainers(), "",
            "Pending", "1"));
      }
    }
    return pods;
  }

  /** Reads every Job document of a YAML file (multi-document files allowed); other kinds are an error. */
  public static List<VcJob> read(Path file) {
    List<VcJob> jobs = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(Files.readString(file))) {
      Iterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class);
      int index = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
          jobs.add(fromManifest(doc, file + " document " + index));
        }
        index++;
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException(file.toString(), List.of("cannot read vcjob YAML: " + e.getMessage()));
    }
    return jobs;
  }

  static VcJob fromManifest(JsonNode doc, String source) {
    List<String> problems = new ArrayList<>();
    if (!"batch.volcano.sh/v1alpha1".equals(doc.path("apiVersion").asText())) {
      problems.add("apiVersion must be batch.volcano.sh/v1alpha1, got " + doc.path("apiVersion").asText("<none>"));
    }
    if (!"Job".equals(doc.path("kind").asText())) {
      problems.add("kind must be Job, got " + doc.path("kind").asText("<none>"));
    }
    String name = doc.path("metadata").path("name").asText("");
    if (name.isEmpty()) {
      problems.add("metadata.name is required");
    }
    String namespace = doc.path("metadata").path("namespace").asText("default");
    JsonNode spec = doc.path("spec");
    List<Task> tasks = new ArrayList<>();
    int total = 0;
    JsonNode taskNodes = spec.path("tasks");
    if (!taskNodes.isArray() || taskNodes.isEmpty()) {
      problems.add("spec.tasks must list at least one task");
    }
    for (int i = 0; i < taskNodes.size(); i++) {
      JsonNode t = taskNodes.get(i);
      String at = "spec.tasks[" + i + "]";
      int replicas = t.path("replicas").asInt(1);
      if (replicas < 0) {
        problems.add(at + ".replicas must be >= 0");
      }
      JsonNode podSpec = t.path("template").path("spec");
      List<ContainerView> containers = containers(podSpec.path("containers"), at + ".template.spec.containers",
          problems);
      if (containers.isEmpty()) {
        problems.add(at + ".template.spec.containers must list at least one container");
      }
      List<ContainerView> inits = containers(podSpec.path("initContainers"), at + ".template.spec.initContainers",
          problems);
      tasks.add(new Task(t.path("name").asText("task" + i), replicas,
          strings(t.path("template").path("metadata").path("annotations")), containers, inits));
      total += Math.max(0, replicas);
    }
    int minAvailable = spec.path("minAvailable").asInt(total);
    if (minAvailable < 0 || minAvailable > total) {
      problems.add("spec.minAvailable must be within 0.." + total + ", got " + minAvailable);
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(source, problems);
    }
    return new VcJob(namespace, name, spec.path("queue").asText("default"), minAvailable, tasks,
        spec.path("priorityClassName").asText(""));
  }

  private static List<ContainerView> containers(JsonNode list, String at, List<String> problems) {
    List<ContainerView> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      String name = c.path("name").asText("");
      if (name.isEmpty()) {
        problems.add(at + "[" + i + "].name is required");
      }
      out.add(new ContainerView(name, strings(c.path("resources").path("limits")),
          strings(c.path("resources").path("requests"))));
    }
    return out;
  }

  private static Map<String, String> strings(JsonNode object) {
    Map<String, String> m = new LinkedHashMap<>();
    object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
