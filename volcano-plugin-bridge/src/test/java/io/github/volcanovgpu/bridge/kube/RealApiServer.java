package io.github.volcanovgpu.bridge.kube;

import io.github.volcanovgpu.process.kube.KubeClients;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class runs against a real kube-apiserver (1.36) on loopback, started once per JVM by
 * {@code scripts/k8s-local.sh up-apiserver} (see {@link KubeApiServerExtension}). Test methods may take
 * {@link io.kubernetes.client.openapi.ApiClient}, {@link KubeClients},
 * {@link io.kubernetes.client.openapi.apis.CoreV1Api} and {@link TestNamespace} parameters.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("apiserver")
@ExtendWith(KubeApiServerExtension.class)
public @interface RealApiServer {}
