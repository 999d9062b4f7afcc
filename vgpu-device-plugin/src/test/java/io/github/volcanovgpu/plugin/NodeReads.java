package io.github.volcanovgpu.plugin;

import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import java.util.Map;

/** What a device-plugin test reads back from its Node: annotations, and resources as the kubelet reported them. */
public final class NodeReads {
  private NodeReads() {}

  public static Map<String, String> annotations(CoreV1Api api, String node) throws ApiException {
    Map<String, String> a = api.readNode(node).execute().getMetadata().getAnnotations();
    return a == null ? Map.of() : a;
  }

  /** {@code status.allocatable[resource]}, 0 when absent. */
  public static long allocatable(CoreV1Api api, String node, String resource) throws ApiException {
    V1Node n = api.readNode(node).execute();
    return number(n.getStatus() == null ? null : n.getStatus().getAllocatable(), resource);
  }

  /** {@code status.capacity[resource]}, 0 when absent. */
  public static long capacity(CoreV1Api api, String node, String resource) throws ApiException {
    V1Node n = api.readNode(node).execute();
    return number(n.getStatus() == null ? null : n.getStatus().getCapacity(), resource);
  }

  private static long number(Map<String, Quantity> resources, String resource) {
    Quantity q = resources == null ? null : resources.get(resource);
    return q == null ? 0 : q.getNumber().longValue();
  }
}
