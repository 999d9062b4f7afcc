package io.github.volcanovgpu.cdi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads and writes CDI specs as JSON or YAML, strictly like the upstream loader: unknown fields are errors, and what
 * is read is checked with {@link CdiValidator}. Writing validates too, so no invalid spec leaves this class. YAML
 * output starts with {@code ---} like the upstream writer. Thread-safe.
 */
public final class CdiCodec {
  /** The two formats runtimes load, by file extension. */
  public enum Format {
    JSON(".json"),
    YAML(".yaml");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    public String extension() {
      return extension;
    }

    /** The format of a spec file name ({@code .json}, {@code .yaml}), or a clear error for anything else. */
    public static Format ofFileName(String fileName) {
      String lower = fileName.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".json")) {
        return JSON;
      }
      if (lower.endsWith(".yaml")) {
        return YAML;
      }
      throw new CdiException("\"" + fileName + "\" is not a CDI spec file name: runtimes only load .json and .yaml");
    }
  }

  private final ObjectMapper json;
  private final ObjectMapper yaml;

  public CdiCodec() {
    this.json = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .build();
    this.yaml = YAMLMapper.builder(YAMLFactory.builder()
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
        .disable(YAMLGenerator.Feature.SPLIT_LINES)
        .build())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
  }

  /** Parses and validates a spec; {@code source} names it in errors (a path, "annotation", ...). */
  public CdiSpec read(String content, Format format, String source) {
    CdiSpec spec;
    try {
      spec = mapper(format).readValue(content, CdiSpec.class);
    } catch (UnrecognizedPropertyException e) {
      throw new CdiException(source + ": unknown field \"" + e.getPropertyName() + "\" at " + path(e), e);
    } catch (JsonProcessingException e) {
      throw new CdiException(source + ": not a CDI spec (" + e.getOriginalMessage() + " at line "
          + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")", e);
    }
    if (spec == null) {
      throw new CdiException(source + ": empty document");
    }
    try {
      return CdiValidator.validate(spec);
    } catch (CdiException e) {
      throw new CdiException(source + ": " + e.getMessage(), e);
    }
  }

  /** Validates and serialises; JSON ends with a newline, YAML starts with {@code ---}. */
  public String write(CdiSpec spec, Format format) {
    CdiValidator.validate(spec);
    try {
      String text = mapper(format).writeValueAsString(spec);
      return text.endsWith("\n") ? text : text + "\n";
    } catch (JsonProcessingException e) {
      throw new CdiException("cannot serialise CDI spec " + spec.kind() + ": " + e.getOriginalMessage(), e);
    }
  }

  public byte[] writeBytes(CdiSpec spec, Format format) {
    return write(spec, format).getBytes(StandardCharsets.UTF_8);
  }

  private ObjectMapper mapper(Format format) {
    return format == Format.JSON ? json : yaml;
  }

  private static String path(UnrecognizedPropertyException e) {
    StringBuilder out = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        out.append(out.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "top level" : out.toString();
  }
}
