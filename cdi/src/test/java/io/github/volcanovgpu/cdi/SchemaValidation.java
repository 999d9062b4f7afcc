package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.ValidationMessage;
import java.util.List;
import java.util.Set;

/** The upstream CDI JSON schema (test resources {@code cdi-schema/}) with networknt's validator. */
public final class SchemaValidation {
  private static final JsonSchema SCHEMA = JsonSchemaFactory
      .getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7)
      .getSchema(SchemaLocation.of("classpath:cdi-schema/schema.json"));
  private static final ObjectMapper JSON = new ObjectMapper();

  private SchemaValidation() {}

  /** The schema violations of a JSON document, empty when it conforms. */
  public static List<String> violations(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      Set<ValidationMessage> errors = SCHEMA.validate(node);
      return errors.stream().map(ValidationMessage::getMessage).sorted().toList();
    } catch (java.io.IOException e) {
      return List.of("not JSON: " + e.getMessage());
    }
  }
}
