package io.github.volcanovgpu.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.StreamSupport;

/** The chart rendered by real Helm (in-process, helm-java) and parsed into one YAML tree per object. */
public final class RenderedChart {
  static final String RELEASE = "vgpu";
  static final String NAMESPACE = "volcano-system";
  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory());

  private final String namespace;
  private final List<JsonNode> objects;

  private RenderedChart(String namespace, List<JsonNode> objects) {
    this.namespace = namespace;
    this.objects = List.copyOf(objects);
  }

  /** {@code charts/volcano-vgpu} of this checkout (tests run in {@code test/e2e}). */
  static Path chartDir() {
    Path dir = Path.of("..", "..", "charts", "volcano-vgpu").toAbsolutePath().normalize();
    if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
      throw new IllegalStateException("no chart at " + dir + " (tests must run from test/e2e)");
    }
    return dir;
  }

  /** {@code helm template vgpu charts/volcano-vgpu -n volcano-system --set k=v ...}. */
  public static RenderedChart render(Map<String, Object> sets) {
    return render(NAMESPACE, sets);
  }

  /** {@code helm template vgpu charts/volcano-vgpu -n <namespace> --set k=v ...}. */
  static RenderedChart render(String namespace, Map<String, Object> sets) {
    TemplateCommand template = new Helm(chartDir()).template().withName(RELEASE).withNamespace(namespace);
    sets.forEach(template::set);
    return parse(namespace, template.call());
  }

  static RenderedChart render() {
    return render(Map.of());
  }

  static RenderedChart render(String key, Object value) {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put(key, value);
    return render(sets);
  }

  /** NOTES.txt as {@code helm install --dry-run} (client only) prints it. */
  static String notes(Map<String, Object> sets) {
    InstallCommand install = new Helm(chartDir()).install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly()
        .withDryRunOption(DryRun.CLIENT);
    sets.forEach(install::set);
    String output = install.call().getOutput();
    int notes = output.indexOf("NOTES:");
    if (notes < 0) {
      throw new IllegalStateException("helm install --dry-run printed no NOTES: " + output);
    }
    return output.substring(notes + "NOTES:".length());
  }

  static LintResult lint() {
    return new Helm(chartDir()).lint().strict().call();
  }

  static RenderedChart parse(String manifests) {
    return parse(NAMESPACE, manifests);
  }

  private static RenderedChart parse(String namespace, String manifests) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(manifests)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && doc.isObject() && doc.size() > 0) {
          objects.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("helm rendered invalid YAML", e);
    }
    return new RenderedChart(namespace, objects);
  }

  /** Parses one YAML document (e.g. a ConfigMap data entry). */
  public static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("invalid YAML: " + text, e);
    }
  }

  List<JsonNode> objects() {
    return objects;
  }

  public List<JsonNode> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
  }

  JsonNode get(String kind, String name) {
    return objects.stream()
        .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(o.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " in the rendered chart; have "
            + objects.stream().map(o -> o.path("kind").asText() + "/" + o.path("metadata").path("name").asText())
                .toList()));
  }

  /** The release namespace it was rendered for. */
  String namespace() {
    return namespace;
  }

  String sidecarServiceAccount() {
    return sidecar().path("spec").path("template").path("spec").path("serviceAccountName").asText();
  }

  String devicePluginServiceAccount() {
    return devicePlugin().path("spec").path("template").path("spec").path("serviceAccountName").asText();
  }

  /** The Lease the sidecar's leader election holds ({@code --leader-elect-lease-name}). */
  String sidecarLeaseName() {
    String flag = "--leader-elect-lease-name=";
    return args(container(sidecar(), "sidecar")).stream().filter(a -> a.startsWith(flag))
        .map(a -> a.substring(flag.length())).findFirst()
        .orElseThrow(() -> new NoSuchElementException("the sidecar has no " + flag + " argument"));
  }

  public JsonNode sidecar() {
    return get("Deployment", RELEASE + "-volcano-vgpu-sidecar");
  }

  JsonNode devicePlugin() {
    return get("DaemonSet", RELEASE + "-volcano-vgpu-device-plugin");
  }

  public static JsonNode container(JsonNode workload, String name) {
    return stream(workload.path("spec").path("template").path("spec").path("containers"))
        .filter(c -> name.equals(c.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no container " + name));
  }

  static JsonNode initContainer(JsonNode workload, String name) {
    return stream(workload.path("spec").path("template").path("spec").path("initContainers"))
        .filter(c -> name.equals(c.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no init container " + name));
  }

  public static List<String> args(JsonNode container) {
    return stream(container.path("args")).map(JsonNode::asText).toList();
  }

  /** env name to value ({@code valueFrom} entries map to their fieldPath). */
  static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new LinkedHashMap<>();
    stream(container.path("env")).forEach(e -> env.put(e.path("name").asText(),
        e.has("value") ? e.path("value").asText() : e.path("valueFrom").path("fieldRef").path("fieldPath").asText()));
    return env;
  }

  /** mountPath to volume name. */
  static Map<String, String> mounts(JsonNode container) {
    Map<String, String> mounts = new LinkedHashMap<>();
    stream(container.path("volumeMounts")).forEach(m -> mounts.put(m.path("mountPath").asText(),
        m.path("name").asText()));
    return mounts;
  }

  static JsonNode volume(JsonNode workload, String name) {
    return stream(workload.path("spec").path("template").path("spec").path("volumes"))
        .filter(v -> name.equals(v.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new NoSuchElementException("no volume " + name));
  }

  static List<String> volumeNames(JsonNode workload) {
    return stream(workload.path("spec").path("template").path("spec").path("volumes"))
        .map(v -> v.path("name").asText()).toList();
  }

  static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false);
  }

  static List<String> texts(JsonNode array) {
    return stream(array).map(JsonNode::asText).toList();
  }
}
