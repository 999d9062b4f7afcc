package io.github.volcanovgpu.plugin.vendor.vastai;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.volcanovgpu.plugin.device.DiscoveryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A Vastai machine without hardware ({@code --fake-vastai FILE|FIXTURE}): cards with dies described by a YAML file
 * or a built-in fixture ({@link #FIXTURES}); faults are injected with {@link #setHealthy}. A card is healthy when it
 * and all its dies are; a die when it and its card are.
 *
 * <p>YAML shape: {@code cards: [{id, dies, memoryMib, numa}]} with {@code dies} the number of dies (default 1),
 * {@code memoryMib} per die; ids default to {@code <node>-va<i>}, die ids are {@code <card id>-die<d>}.
 */
public final class FakeVastaiPort implements VastaiPort {
  /** {@code 4x2}: 4 cards of 2 dies (16 GiB each); {@code 2x4}: 2 cards of 4 dies (8 GiB each). */
  public static final List<String> FIXTURES = List.of("4x2", "2x4");

  private final List<Card> cards;
  private final Set<String> faulty = ConcurrentHashMap.newKeySet();

  private FakeVastaiPort(List<Card> cards) {
    this.cards = List.copyOf(cards);
  }

  /** The CLI's {@code --fake-vastai} value: a built-in fixture name, else a YAML file. */
  public static FakeVastaiPort fromArgument(String argument, String nodeName) {
    if (FIXTURES.contains(argument)) {
      try (InputStream in = FakeVastaiPort.class.getResourceAsStream("fixtures/" + argument + ".yaml")) {
        return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), "fixture " + argument, nodeName);
      } catch (IOException | NullPointerException e) {
        throw new DiscoveryException("cannot read Vastai fixture " + argument + ": " + e.getMessage(), e);
      }
    }
    Path file = Path.of(argument);
    if (!Files.exists(file)) {
      throw new DiscoveryException("--fake-vastai: \"" + argument + "\" is neither a built-in fixture ("
          + String.join(", ", FIXTURES) + ") nor an existing file");
    }
    try {
      return fromYaml(Files.readString(file, StandardCharsets.UTF_8), file.toString(), nodeName);
    } catch (IOException e) {
      throw new DiscoveryException("cannot read fake Vastai file " + file + ": " + e.getMessage(), e);
    }
  }

  /** @param source named in error messages */
  public static FakeVastaiPort fromYaml(String yaml, String source, String nodeName) {
    FakeFile parsed;
    try {
      parsed = new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .readValue(yaml, FakeFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new DiscoveryException(source + ": unknown key \"" + e.getPropertyName()
          + "\" (allowed: cards; per card: id, dies, memoryMib, numa)", e);
    } catch (JsonProcessingException e) {
      throw new DiscoveryException(source + ": not a valid fake Vastai file: " + e.getOriginalMessage(), e);
    }
    if (parsed == null || parsed.cards == null || parsed.cards.isEmpty()) {
      throw new DiscoveryException(source + ": \"cards\" must list at least one card");
    }
    List<Card> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < parsed.cards.size(); i++) {
      FakeCard c = parsed.cards.get(i);
      String where = source + ": cards[" + i + "]";
      if (c == null) {
        throw new DiscoveryException(where + " is empty");
      }
      int dies = c.dies == null ? 1 : c.dies;
      if (dies < 1 || dies > 16) {
        throw new DiscoveryException(where + ": \"dies\" must be 1..16, got " + dies);
      }
      if (c.memoryMib != null && c.memoryMib < 0) {
        throw new DiscoveryException(where + ": \"memoryMib\" must be >= 0, got " + c.memoryMib);
      }
      String id = c.id != null ? c.id : nodeName + "-va" + i;
      List<String> dieIds = new ArrayList<>();
      for (int d = 0; d < dies; d++) {
        dieIds.add(id + "-die" + d);
      }
      for (String x : concat(id, dieIds)) {
        if (!ids.add(x)) {
          throw new DiscoveryException(where + ": duplicate id " + x);
        }
      }
      out.add(new Card(id, dieIds, c.memoryMib == null ? 0 : c.memoryMib, c.numa == null ? -1 : c.numa));
    }
    return new FakeVastaiPort(out);
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest);
    all.add(0, first);
    return all;
  }

  @Override
  public List<Card> cards() {
    return cards;
  }

  @Override
  public boolean healthy(String id) {
    for (Card c : cards) {
      if (c.id().equals(id)) {
        return !faulty.contains(id) && c.dies().stream().noneMatch(faulty::contains);
      }
      if (c.dies().contains(id)) {
        return !faulty.contains(id) && !faulty.contains(c.id());
      }
    }
    throw new DiscoveryException("fake Vastai device " + id + " is not on this machine");
  }

  /** Marks a card or die faulty ({@code false}) or working again. */
  public void setHealthy(String id, boolean healthy) {
    if (cards.stream().noneMatch(c -> c.id().equals(id) || c.dies().contains(id))) {
      throw new IllegalArgumentException("unknown fake Vastai card or die " + id);
    }
    if (healthy) {
      faulty.remove(id);
    } else {
      faulty.add(id);
    }
  }

  @Override
  public void close() {
    // nothing held
  }

  static final class FakeFile {
    @JsonProperty("cards")
    @Nullable
    List<FakeCard> cards;
  }

  static final class FakeCard {
    @JsonProperty("id")
    @Nullable
    String id;
    @JsonProperty("dies")
    @Nullable
    Integer dies;
    @JsonProperty("memoryMib")
    @Nullable
    Long memoryMib;
    @JsonProperty("numa")
    @Nullable
    Integer numa;
  }
}
