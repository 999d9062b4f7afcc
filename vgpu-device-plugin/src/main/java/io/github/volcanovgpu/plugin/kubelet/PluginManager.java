package io.github.volcanovgpu.plugin.kubelet;

import io.github.volcanovgpu.plugin.device.DeviceHealth;
import io.github.volcanovgpu.plugin.device.HealthMonitor;
import io.github.volcanovgpu.plugin.device.PluginResource;
import io.github.volcanovgpu.process.DaemonThreads;
import io.grpc.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one plugin socket per resource in the kubelet's device-plugin directory, registers each with the kubelet
 * (serve first, then Register), and watches the directory: when one of our sockets disappears (a restarting kubelet
 * wipes the directory) it stops, re-serves and re-registers everything; when {@code kubelet.sock} is created again
 * it registers every socket not yet registered with that kubelet.sock. Each registration remembers which
 * kubelet.sock (inode and time) it was made with, so the two events of one kubelet restart, seen apart, cost one
 * registration each, not two: a second Register makes the kubelet drop the endpoint it just opened, and a pod it
 * admits in that moment fails with "the client connection is closing". Health lives in a {@link HealthState} that
 * survives those restarts.
 */
public final class PluginManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PluginManager.class);
  /** Registration retries while the kubelet refuses: 250 ms doubling to 5 s. */
  private static final long RETRY_FIRST_MILLIS = 250;
  private static final long RETRY_MAX_MILLIS = 5_000;

  private final Path directory;
  private final HealthState health;
  private final UnixTransport transport;
  private final KubeletRegistrar registrar;
  private final Map<String, DevicePluginService> services = new LinkedHashMap<>();
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private final Object lifecycle = new Object();
  /** Sockets whose registration the kubelet has not accepted yet; retried with backoff by the watch thread. */
  private final Set<String> unregistered = new LinkedHashSet<>();
  /** Socket name to the identity of the kubelet.sock it was last registered with (guarded by {@link #lifecycle}). */
  private final Map<String, Object> registeredWith = new LinkedHashMap<>();
  private @Nullable WatchService watchService;
  private @Nullable Thread watcher;
  private volatile int restarts;
  private volatile int kubeletSockCreations;
  private volatile boolean closed;

  public PluginManager(Path directory, List<PluginResource> resources, HealthState health,
      Duration registerTimeout) {
    this.directory = directory;
    this.health = health;
    this.transport = new UnixTransport();
    this.registrar = new KubeletRegistrar(transport, directory.resolve(KubeletRegistrar.KUBELET_SOCKET_NAME),
        registerTimeout);
    for (PluginResource r : resources) {
      if (services.containsKey(r.socketName())) {
        throw new IllegalArgumentException("two resources share socket " + r.socketName());
      }
      services.put(r.socketName(), new DevicePluginService(r, health));
    }
  }

  /** Routes a device kind's health events into this manager's {@link HealthState}. */
  public void connect(HealthMonitor monitor) {
    monitor.watchHealth(health::apply);
  }

  /**
   * Serves every resource, registers each and starts watching the directory. A resource the kubelet does not
   * accept now (kubelet not running or still starting) is retried with backoff (250 ms doubling to 5 s) and
   * registered again whenever {@code kubelet.sock} appears.
   *
   * @return whether every resource was registered now
   */
  public boolean start() {
    try {
      Files.createDirectories(directory);
      WatchService ws = directory.getFileSystem().newWatchService();
      directory.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
      watchService = ws;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot watch " + directory + ": " + e.getMessage(), e);
    }
    boolean registered;
    synchronized (lifecycle) {
      serveAll();
      registered = registerAll();
    }
    watcher = DaemonThreads.start("device-plugin-dir-watch", this::watchLoop);
    return registered;
  }

  /** Current health per card UUID (for the node annotation publisher). */
  public Map<String, DeviceHealth> health() {
    return health.snapshot();
  }

  /** How many times the plugins were re-served after a kubelet restart or a lost socket. */
  public int restarts() {
    return restarts;
  }

  /** How many creations of {@code kubelet.sock} the directory watch has handled. */
  public int kubeletSockCreations() {
    return kubeletSockCreations;
  }

  /** Whether every resource is registered with the kubelet.sock that is in the directory now. */
  public boolean registeredWithCurrentKubelet() {
    synchronized (lifecycle) {
      Object current = kubeletSockIdentity();
      return current != null && unregistered.isEmpty()
          && services.keySet().stream().allMatch(s -> current.equals(registeredWith.get(s)));
    }
  }

  public List<DevicePluginService> services() {
    return List.copyOf(services.values());
  }

  /** Stops and starts every server and registers again (kubelet restart, SIGHUP). */
  public void restart(String reason) {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      LOG.info("re-serving and re-registering {} device plugins: {}", services.size(), reason);
      stopAll();
      serveAll();
      registerAll();
      restarts++;
    }
  }

  private void serveAll() {
    for (Map.Entry<String, DevicePluginService> e : services.entrySet()) {
      Path socket = directory.resolve(e.getKey());
      try {
        Files.deleteIfExists(socket);
        Server server = transport.server(socket, e.getValue()).start();
        servers.put(e.getKey(), server);
        LOG.info("{}: serving on {}", e.getValue().resource().resourceName(), socket);
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot serve " + socket + ": " + ex.getMessage(), ex);
      }
    }
  }

  private boolean registerAll() {
    unregistered.clear();
    unregistered.addAll(services.keySet());
    return registerPending(true);
  }

  /**
   * A new kubelet.sock: registers the sockets not registered with it yet (the servers keep running; a restarting
   * kubelet that wiped the directory has already made us re-serve).
   */
  private void kubeletSockCreated() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      Object current = kubeletSockIdentity();
      for (String socket : services.keySet()) {
        if (current == null || !current.equals(registeredWith.get(socket))) {
          unregistered.add(socket);
        }
      }
      if (unregistered.isEmpty()) {
        LOG.debug("kubelet.sock created: every resource is registered with it already");
      } else {
        LOG.info("kubelet.sock created (kubelet restarted): registering {}", unregistered);
        registerPending(true);
      }
    }
  }

  /** The kubelet.sock now in the directory (inode and modification time), or null when there is none. */
  private @Nullable Object kubeletSockIdentity() {
    try {
      BasicFileAttributes a = Files.readAttributes(directory.resolve(KubeletRegistrar.KUBELET_SOCKET_NAME),
          BasicFileAttributes.class);
      return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime());
    } catch (IOException e) {
      return null;
    }
  }

  /** Registers the sockets not registered yet; true when none is left. */
  private boolean registerPending(boolean logFailures) {
    for (String socket : List.copyOf(unregistered)) {
      String resourceName = services.get(socket).resource().resourceName();
      try {
        Object kubelet = kubeletSockIdentity();
        registrar.register(resourceName, socket, DevicePluginService.OPTIONS);
        unregistered.remove(socket);
        if (kubelet != null) {
          registeredWith.put(socket, kubelet);
        }
        LOG.info("{}: registered with the kubelet as {}", resourceName, socket);
      } catch (KubeletRegistrar.RegistrationException ex) {
        if (logFailures) {
          LOG.warn("{} (retrying, and again when kubelet.sock is created)", ex.getMessage());
        } else {
          LOG.debug("{} (retrying)", ex.getMessage());
        }
      }
    }
    return unregistered.isEmpty();
  }

  /** Retries the registrations the kubelet refused (it may have been starting); true when all are registered. */
  private boolean retryRegistrations() {
    synchronized (lifecycle) {
      return closed || registerPending(false);
    }
  }

  private boolean registrationPending() {
    synchronized (lifecycle) {
      return !unregistered.isEmpty() && !closed;
    }
  }

  private void stopAll() {
    for (DevicePluginService s : services.values()) {
      s.endStreams();
    }
    List<Server> running = new ArrayList<>(servers.values());
    servers.clear();
    for (Server s : running) {
      s.shutdownNow();
    }
    for (Server s : running) {
      try {
        s.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void watchLoop() {
    WatchService ws = watchService;
    if (ws == null) {
      return;
    }
    long backoffMillis = RETRY_FIRST_MILLIS;
    try {
      while (!Thread.currentThread().isInterrupted()) {
        WatchKey key;
        if (registrationPending()) {
          key = ws.poll(backoffMillis, TimeUnit.MILLISECONDS);
          if (key == null) {
            backoffMillis = retryRegistrations() ? RETRY_FIRST_MILLIS : Math.min(backoffMillis * 2, RETRY_MAX_MILLIS);
            continue;
          }
        } else {
          key = ws.take();
        }
        String reason = null;
        boolean kubeletSock = false;
        boolean overflow = false;
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            reason = reason != null ? reason : missingSocket();
            overflow = true;
            continue;
          }
          String name = String.valueOf(event.context());
          if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE
              && name.equals(KubeletRegistrar.KUBELET_SOCKET_NAME)) {
            kubeletSock = true;
          } else if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE && services.containsKey(name)
              && reason == null && !Files.exists(directory.resolve(name))) {
            reason = name + " deleted";
          }
        }
        key.reset();
        if (reason != null || kubeletSock || overflow) {
          backoffMillis = RETRY_FIRST_MILLIS;
          try {
            if (reason != null) {
              restart(kubeletSock ? reason + ", kubelet.sock created (kubelet restarted)" : reason);
            } else {
              kubeletSockCreated();
            }
          } catch (RuntimeException e) {
            LOG.error("restarting the device plugins failed: {}", e.getMessage(), e);
          }
          if (kubeletSock) {
            kubeletSockCreations++;
          }
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      LOG.debug("directory watch ended");
    }
  }

  private @Nullable String missingSocket() {
    for (String name : services.keySet()) {
      if (!Files.exists(directory.resolve(name))) {
        return name + " missing after a watch overflow";
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
    Thread t = watcher;
    if (t != null) {
      t.interrupt();
    }
    WatchService ws = watchService;
    if (ws != null) {
      try {
        ws.close();
      } catch (IOException e) {
        LOG.debug("closing the watch service: {}", e.toString());
      }
    }
    synchronized (lifecycle) {
      stopAll();
      services.values().forEach(DevicePluginService::close);
    }
    transport.close();
  }
}
