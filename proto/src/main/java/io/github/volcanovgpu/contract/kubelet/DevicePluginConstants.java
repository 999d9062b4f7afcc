package io.github.volcanovgpu.contract.kubelet;

import java.time.Duration;
import java.util.List;

/**
 * The constants of the kubelet device-plugin API v1beta1 ({@code k8s.io/kubelet pkg/apis/deviceplugin/v1beta1
 * constants.go}, reference deviceplugin-cdi-mig.md §1.4) and of the pod-resources API (§1.8).
 */
public final class DevicePluginConstants {
  /** {@code Device.health} of a usable device. */
  public static final String HEALTHY = "Healthy";

  /** {@code Device.health} of a device the kubelet must not hand out. */
  public static final String UNHEALTHY = "Unhealthy";

  /** The API version a plugin sends in {@code RegisterRequest.version}. */
  public static final String VERSION = "v1beta1";

  /** The versions the kubelet accepts in {@code RegisterRequest.version}. */
  public static final List<String> SUPPORTED_VERSIONS = List.of(VERSION);

  /** Directory of the kubelet's registration socket and of every plugin socket (with trailing slash). */
  public static final String DEVICE_PLUGIN_PATH = "/var/lib/kubelet/device-plugins/";

  /** The kubelet's {@code Registration} service socket. */
  public static final String KUBELET_SOCKET = DEVICE_PLUGIN_PATH + "kubelet.sock";

  /** Windows form of {@link #DEVICE_PLUGIN_PATH}. */
  public static final String DEVICE_PLUGIN_PATH_WINDOWS = "\\var\\lib\\kubelet\\device-plugins\\";

  /** Windows form of {@link #KUBELET_SOCKET}. */
  public static final String KUBELET_SOCKET_WINDOWS = DEVICE_PLUGIN_PATH_WINDOWS + "kubelet.sock";

  /** How long the kubelet waits for {@code PreStartContainer}. */
  public static final Duration PRE_START_CONTAINER_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The kubelet's device-manager checkpoint, kept in {@link #DEVICE_PLUGIN_PATH}; a plugin watching that directory
   * must ignore it.
   */
  public static final String KUBELET_CHECKPOINT_FILE = "kubelet_internal_checkpoint";

  /** The pod-resources API socket ({@code PodResourcesLister}); mount its directory, the inode changes. */
  public static final String POD_RESOURCES_SOCKET = "/var/lib/kubelet/pod-resources/kubelet.sock";

  private DevicePluginConstants() {}
}
