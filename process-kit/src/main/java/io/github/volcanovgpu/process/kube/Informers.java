package io.github.volcanovgpu.process.kube;

import io.github.volcanovgpu.process.DaemonThreads;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeList;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.CallGenerator;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Shared informers (list, then watch) on their own pool of named daemon threads. Every object is stored without its
 * {@code managedFields}: the largest part of an object as the API server sends it, never read by these programs, and
 * kept for every cached pod and node otherwise. Closing stops the informers and the pool.
 */
public final class Informers implements AutoCloseable {
  private final ExecutorService executor;
  private final SharedInformerFactory factory;
  private final CoreV1Api core;

  /**
   * @param watchClient a client without read timeout ({@link KubeClients#watches()})
   * @param threadPrefix the informer threads are {@code <prefix>1}, {@code <prefix>2}...
   */
  public Informers(ApiClient watchClient, String threadPrefix) {
    this.executor = Executors.newCachedThreadPool(DaemonThreads.numbered(threadPrefix));
    this.factory = new SharedInformerFactory(watchClient, executor, false);
    this.core = new CoreV1Api(watchClient);
  }

  /**
   * An informer of {@code type} listed and watched by {@code list} (e.g. {@code params ->
   * api.listNode().resourceVersion(params.resourceVersion).timeoutSeconds(params.timeoutSeconds)
   * .watch(params.watch).buildCall(null)}); not started until {@link #start()}.
   */
  public <T extends KubernetesObject, L extends KubernetesListObject> SharedIndexInformer<T> add(
      CallGenerator list, Class<T> type, Class<L> listType) {
    SharedIndexInformer<T> informer = factory.sharedIndexInformerFor(list, type, listType);
    informer.setTransform(Informers::dropManagedFields);
    return informer;
  }

  /** Every pod of every namespace that matches {@code fieldSelector} (e.g. {@code spec.nodeName=<node>}). */
  public SharedIndexInformer<V1Pod> pods(String fieldSelector) {
    return add(params -> core.listPodForAllNamespaces()
        .fieldSelector(fieldSelector)
        .resourceVersion(params.resourceVersion)
        .timeoutSeconds(params.timeoutSeconds)
        .watch(params.watch)
        .buildCall(null), V1Pod.class, V1PodList.class);
  }

  /** Every node. */
  public SharedIndexInformer<V1Node> nodes() {
    return add(params -> core.listNode()
        .resourceVersion(params.resourceVersion)
        .timeoutSeconds(params.timeoutSeconds)
        .watch(params.watch)
        .buildCall(null), V1Node.class, V1NodeList.class);
  }

  /** Starts every informer added. */
  public void start() {
    factory.startAllRegisteredInformers();
  }

  @Override
  public void close() {
    factory.stopAllRegisteredInformers(true);
    executor.shutdownNow();
  }

  static KubernetesObject dropManagedFields(KubernetesObject object) {
    if (object.getMetadata() != null) {
      object.getMetadata().setManagedFields(null);
    }
    return object;
  }
}
