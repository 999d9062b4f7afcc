package io.github.volcanovgpu.bridge.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed CA and a server certificate it signs for {@code 127.0.0.1} and {@code localhost} (what the chart's
 * hook Job makes for the webhook Service), as PEM: the CA for the client ({@code caBundle}), the chain and the
 * PKCS#8 key for the server.
 */
public record TestCertificates(String caPem, String certPem, String keyPem, X509Certificate ca) {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  public static TestCertificates create(String... dnsNames) {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(256);
      KeyPair caKeys = gen.generateKeyPair();
      Instant now = Instant.now().minus(Duration.ofMinutes(5));
      Date from = Date.from(now);
      Date to = Date.from(now.plus(Duration.ofDays(2)));
      X500Name caName = new X500Name("CN=volcano-vgpu test CA " + SERIAL.get());
      var caBuilder = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()), from, to,
          caName, caKeys.getPublic());
      caBuilder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      X509Certificate ca = new JcaX509CertificateConverter().getCertificate(
          caBuilder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));

      KeyPair keys = gen.generateKeyPair();
      var builder = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(SERIAL.incrementAndGet()), from, to,
          new X500Name("CN=volcano-vgpu-webhook"), keys.getPublic());
      GeneralName[] sans = new GeneralName[2 + dnsNames.length];
      sans[0] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
      sans[1] = new GeneralName(GeneralName.dNSName, "localhost");
      for (int i = 0; i < dnsNames.length; i++) {
        sans[2 + i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
      }
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
      return new TestCertificates(pem(ca), pem(cert), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
          keys.getPrivate(), null)), ca);
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
        | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object o) throws IOException {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter p = new JcaPEMWriter(w)) {
      p.writeObject(o);
    }
    return w.toString();
  }

  /** Writes {@code tls.crt} and {@code tls.key} into {@code dir} (as a mounted Secret has them). */
  public void writeTo(Path dir) {
    try {
      Files.writeString(dir.resolve("tls.crt.tmp"), certPem);
      Files.writeString(dir.resolve("tls.key.tmp"), keyPem);
      Files.move(dir.resolve("tls.crt.tmp"), dir.resolve("tls.crt"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.move(dir.resolve("tls.key.tmp"), dir.resolve("tls.key"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client context trusting only this CA. */
  public SSLContext clientContext() {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      ks.setCertificateEntry("ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
