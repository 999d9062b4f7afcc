package io.github.volcanovgpu.plugin.device;

import java.util.Objects;

/**
 * Something about a kind's serving that the node's operators must act on. The plugin core logs it and, with an
 * API server, records it as a Warning Event on the Node ({@code kubectl describe node}); the kind only says it.
 *
 * @param reason the Event reason, a CamelCase word (e.g. {@link #TOO_MANY_DEVICE_IDS})
 * @param message one line: what is not served, why, and what to change
 */
public record NodeNotice(String reason, String message) {
  /** A resource's device list would not fit the kubelet's ListAndWatch message limit and is not served. */
  public static final String TOO_MANY_DEVICE_IDS = "TooManyDeviceIDs";

  public NodeNotice {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    if (!reason.matches("[A-Z][A-Za-z0-9]*")) {
      throw new IllegalArgumentException("an Event reason is a CamelCase word: \"" + reason + "\"");
    }
  }
}
