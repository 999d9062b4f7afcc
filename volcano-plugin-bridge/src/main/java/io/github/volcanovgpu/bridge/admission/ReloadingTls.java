package io.github.volcanovgpu.bridge.admission;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's server certificate and key, read from PEM files (a mounted Secret's {@code tls.crt} and
 * {@code tls.key}) and re-read when their content changes: each new connection asks for the context, and the files
 * are looked at again at most once per {@code checkInterval}. A rotation that cannot be read (half written, a key
 * that does not match) keeps the previous context and is logged; the next check tries again. Keys: PKCS#8, or PKCS#1
 * and SEC1 through BouncyCastle (what cert-manager and kube-webhook-certgen write).
 */
public final class ReloadingTls {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingTls.class);

  private final Path certFile;
  private final Path keyFile;
  private final long checkIntervalNanos;
  private final Object lock = new Object();
  private SslContext context;
  private byte[] digest;
  private long checkedAt;
  private int reloads;

  /**
   * Reads the files once.
   *
   * @throws IllegalArgumentException naming the file when they cannot be read or do not make a server context
   */
  public ReloadingTls(Path certFile, Path keyFile, Duration checkInterval) {
    this.certFile = Objects.requireNonNull(certFile, "certFile");
    this.keyFile = Objects.requireNonNull(keyFile, "keyFile");
    this.checkIntervalNanos = checkInterval.toNanos();
    byte[][] files = read();
    this.context = build(files);
    this.digest = digest(files);
    this.checkedAt = System.nanoTime();
  }

  /** The current context, re-read first when the check interval has passed and the files changed. */
  public SslContext context() {
    synchronized (lock) {
      long now = System.nanoTime();
      if (now - checkedAt >= checkIntervalNanos) {
        checkedAt = now;
        reloadIfChanged();
      }
      return context;
    }
  }

  /** How many times a changed pair was loaded since start. */
  public int reloads() {
    synchronized (lock) {
      return reloads;
    }
  }

  private void reloadIfChanged() {
    byte[][] files;
    try {
      files = read();
    } catch (IllegalArgumentException e) {
      LOG.warn("webhook certificate not reloaded, keeping the current one: {}", e.getMessage());
      return;
    }
    byte[] d = digest(files);
    if (Arrays.equals(d, digest)) {
      return;
    }
    try {
      context = build(files);
    } catch (IllegalArgumentException e) {
      LOG.warn("webhook certificate changed but cannot be used, keeping the current one: {}", e.getMessage());
      return;
    }
    digest = d;
    reloads++;
    LOG.info("webhook certificate reloaded from {}", certFile);
  }

  private byte[][] read() {
    try {
      return new byte[][] {Files.readAllBytes(certFile), Files.readAllBytes(keyFile)};
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the webhook certificate or key: " + e);
    }
  }

  private SslContext build(byte[][] files) {
    try {
      return SslContextBuilder.forServer(new ByteArrayInputStream(files[0]), new ByteArrayInputStream(files[1]))
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the webhook certificate " + certFile + " and key " + keyFile
          + " do not make a TLS server context: " + message(e));
    }
  }

  private static String message(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return Objects.toString(e.getMessage(), "") + (t != e ? " (" + t + ")" : "");
  }

  private static byte[] digest(byte[][] files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (byte[] f : files) {
        md.update(f);
        md.update((byte) 0);
      }
      return md.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
