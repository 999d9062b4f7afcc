package io.github.volcanovgpu.bridge.testing;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.ApiextensionsV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;

/** Volcano's CRDs (the project's copy of the upstream files) installed into a real API server. */
public final class VolcanoCrds {
  private VolcanoCrds() {}

  /** Installs Volcano's Job CRD unless it is there, and waits until it is Established. */
  public static void installJobs(ApiClient client) throws IOException, ApiException {
    ApiextensionsV1Api crds = new ApiextensionsV1Api(client);
    String name = "jobs.batch.volcano.sh";
    try {
      crds.readCustomResourceDefinition(name).execute();
    } catch (ApiException e) {
      if (e.getCode() != 404) {
        throw e;
      }
      // the upstream file unchanged, sent as JSON bytes: client-java's typed model adds empty fields the API server
      // refuses
      byte[] json;
      try (InputStream in = Objects.requireNonNull(VolcanoCrds.class.getResourceAsStream(
          "/volcano-crd/batch.volcano.sh_jobs.yaml"), "volcano-crd/batch.volcano.sh_jobs.yaml")) {
        json = new ObjectMapper().writeValueAsBytes(new ObjectMapper(new YAMLFactory()).readTree(in));
      }
      try {
        // a byte[] body goes out as it is (ApiClient.serialize), authenticated like every call of the client
        new CustomObjectsApi(client).createClusterCustomObject("apiextensions.k8s.io", "v1",
            "customresourcedefinitions", json).execute();
      } catch (ApiException created) {
        if (created.getCode() != 409) { // 409: another test installed it meanwhile
          throw created;
        }
      }
    }
    awaitEstablished(crds, name);
  }

  private static void awaitEstablished(ApiextensionsV1Api crds, String name) {
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      var status = crds.readCustomResourceDefinition(name).execute().getStatus();
      return status != null && status.getConditions() != null && status.getConditions().stream()
          .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    });
  }
}
