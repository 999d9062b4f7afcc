package io.github.volcanovgpu.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.volcanovgpu.e2e.chart.RenderedChart;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What {@code charts/volcano-vgpu} ships for the scheduler side, rendered by real Helm (as the chart tests render
 * it): Volcano's scheduler configuration (ConfigMap data {@code volcano-scheduler.conf}, byte for byte), the sidecar
 * container's arguments and its {@code device-config.yaml}. The suite runs exactly these; only what a pod gets from
 * its cluster is replaced (loopback ports instead of the Service, a kubeconfig instead of the in-cluster config, a
 * file instead of the ConfigMap mount).
 *
 * @param schedulerConf Volcano's {@code volcano-scheduler.conf} as the chart renders it
 * @param sidecarArgs the sidecar container's args ({@code bridge --http-bind=... ...})
 * @param deviceConfigYaml the device config ConfigMap's {@code device-config.yaml}
 */
record ChartScheduling(String schedulerConf, List<String> sidecarArgs, String deviceConfigYaml) {
  static final String SCHEDULER_CONF_KEY = "volcano-scheduler.conf";
  static final String DEVICE_CONFIG_KEY = "device-config.yaml";

  ChartScheduling {
    sidecarArgs = List.copyOf(sidecarArgs);
  }

  /**
   * {@code helm template} with the extender URL pointed at a sidecar on loopback ({@code scheduler.urlPrefix}, the
   * chart's own knob for a sidecar beside vc-scheduler), the sidecar's {@code --policy} and the admission webhook off
   * (it needs TLS Secrets from a cluster; the suite does not exercise it).
   */
  static ChartScheduling render(String extenderUrl, String policy) {
    Map<String, Object> sets = new LinkedHashMap<>();
    sets.put("scheduler.urlPrefix", extenderUrl);
    sets.put("sidecar.policy", policy);
    sets.put("admission.enabled", "false");
    RenderedChart chart = RenderedChart.render(sets);
    String conf = configMapEntry(chart, SCHEDULER_CONF_KEY);
    String deviceConfig = configMapEntry(chart, DEVICE_CONFIG_KEY);
    List<String> args = RenderedChart.args(RenderedChart.container(chart.sidecar(), "sidecar"));
    return new ChartScheduling(conf, args, deviceConfig);
  }

  /**
   * The namespace of the sidecar's leader-election Lease ({@code --leader-elect-namespace}, the release's
   * namespace), which {@code helm install -n <ns> --create-namespace} creates on a cluster; empty when the chart
   * does not elect a leader.
   */
  java.util.Optional<String> leaseNamespace() {
    return sidecarArgs.stream().filter(a -> a.startsWith("--leader-elect-namespace="))
        .map(a -> a.substring(a.indexOf('=') + 1)).findFirst();
  }

  private static String configMapEntry(RenderedChart chart, String key) {
    List<String> found = new ArrayList<>();
    for (JsonNode cm : chart.ofKind("ConfigMap")) {
      JsonNode value = cm.path("data").path(key);
      if (value.isTextual()) {
        found.add(value.asText());
      }
    }
    if (found.size() != 1) {
      throw new NoSuchElementException("the rendered chart has " + found.size() + " ConfigMaps with " + key
          + "; expected exactly one");
    }
    return found.get(0);
  }

  /**
   * The sidecar's command line for a process on this machine: the chart's args with the three bind addresses moved
   * to loopback ports, {@code --device-config} pointed at {@code deviceConfigFile}, plus {@code --kubeconfig}.
   */
  List<String> sidecarCommandLine(int httpPort, int grpcPort, int metricsPort, String deviceConfigFile,
      String kubeconfig) {
    List<String> out = new ArrayList<>();
    for (String arg : sidecarArgs) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      out.add(switch (name) {
        case "--http-bind" -> "--http-bind=127.0.0.1:" + httpPort;
        case "--grpc-bind" -> "--grpc-bind=127.0.0.1:" + grpcPort;
        case "--metrics-bind-address" -> "--metrics-bind-address=127.0.0.1:" + metricsPort;
        case "--device-config" -> "--device-config=" + deviceConfigFile;
        default -> arg;
      });
    }
    if (!out.contains("bridge")) {
      throw new IllegalStateException("the chart's sidecar args do not run `bridge`: " + sidecarArgs);
    }
    out.add("--kubeconfig=" + kubeconfig);
    return out;
  }
}
