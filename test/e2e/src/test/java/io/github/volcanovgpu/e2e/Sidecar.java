package io.github.volcanovgpu.e2e;

import io.github.volcanovgpu.bridge.device.SchedulingPolicy;
import io.github.volcanovgpu.bridge.extender.ExtenderEndpoint;
import io.github.volcanovgpu.bridge.extender.ExtenderHttpServer;
import io.github.volcanovgpu.bridge.kube.InformerClusterState;
import io.github.volcanovgpu.bridge.kube.KubeAssignmentWriter;
import io.github.volcanovgpu.bridge.kube.KubeResourceQuotas;
import io.github.volcanovgpu.bridge.scheduling.EngineConfig;
import io.github.volcanovgpu.bridge.scheduling.NodeLock;
import io.github.volcanovgpu.bridge.scheduling.PlacementEngine;
import io.github.volcanovgpu.bridge.vendor.VendorCatalog;
import io.github.volcanovgpu.contract.config.DeviceConfig;
import io.github.volcanovgpu.process.kube.KubeClients;
import java.time.Clock;
import java.time.Duration;

/**
 * The sidecar wired as {@code volcano-vgpu bridge --kubeconfig ...} wires it (BridgeCommand): informer cache of
 * nodes and pods, merge-patch assignment writer, placement engine, extender HTTP server on loopback.
 */
final class Sidecar implements AutoCloseable {
  private final InformerClusterState informers;
  private final KubeResourceQuotas quotas;
  private final ExtenderHttpServer http;
  private final PlacementEngine engine;

  private Sidecar(InformerClusterState informers, KubeResourceQuotas quotas, ExtenderHttpServer http,
      PlacementEngine engine) {
    this.informers = informers;
    this.quotas = quotas;
    this.http = http;
    this.engine = engine;
  }

  static Sidecar start(KubeClients kube, SchedulingPolicy policy, DeviceConfig config) throws Exception {
    InformerClusterState informers = new InformerClusterState(kube.watches());
    informers.start();
    KubeResourceQuotas quotas = new KubeResourceQuotas(kube.watches());
    quotas.start();
    PlacementEngine engine =
        new PlacementEngine(VendorCatalog.kinds(config), informers, new KubeAssignmentWriter(kube.requests()),
            NodeLock.DISABLED, new EngineConfig(policy, 1, Duration.ofMinutes(5)), Clock.systemUTC(), quotas);
    ExtenderHttpServer http = new ExtenderHttpServer(ExtenderHttpServer.Options.defaults("127.0.0.1", 0),
        new ExtenderEndpoint(engine), () -> true, null,
        io.github.volcanovgpu.bridge.extender.ExtenderRequestObserver.NONE);
    http.start();
    if (!informers.awaitSynced(Duration.ofSeconds(30)) || !quotas.awaitSynced(Duration.ofSeconds(30))) {
      http.close();
      informers.close();
      quotas.close();
      throw new IllegalStateException("sidecar informer cache did not sync in 30 s");
    }
    return new Sidecar(informers, quotas, http, engine);
  }

  String url() {
    return "http://127.0.0.1:" + http.port();
  }

  PlacementEngine engine() {
    return engine;
  }

  InformerClusterState cache() {
    return informers;
  }

  KubeResourceQuotas quotas() {
    return quotas;
  }

  @Override
  public void close() {
    http.close();
    informers.close();
    quotas.close();
  }
}
