package io.github.volcanovgpu.bridge.extender;

import static io.github.volcanovgpu.bridge.extender.VolcanoJsonReaderTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The answers decoded as Volcano's Go client decodes them. */
class VolcanoResponsesTest {
  @Test
  void predicateReasonIsInStatusAndAnEmptyStatusPasses() {
    PredicateResponse rejected = VolcanoResponses.predicate(json("{'status':'no GPU fits','code':2}"));
    PredicateResponse fits = VolcanoResponses.predicate(json("{'status':'','code':0}"));

    assertThat(rejected).isEqualTo(new PredicateResponse("no GPU fits", 2));
    assertThat(rejected.passes()).isFalse();
    assertThat(fits.passes()).isTrue();
  }

  @Test
  void keysAreMatchedIgnoringCaseAndUnknownOnesIgnored() {
    assertThat(VolcanoResponses.predicate(json("{'STATUS':'x','Code':3,'extra':{'a':[1]}}")))
        .isEqualTo(new PredicateResponse("x", 3));
    assertThat(VolcanoResponses.prioritize(json("{'NodeScore':{'n1':1.5,'n2':2},'ErrorMessage':''}")).nodeScore())
        .isEqualTo(Map.of("n1", 1.5, "n2", 2.0));
  }

  @Test
  void anIntegerFieldWrittenWithAFractionIsAnErrorAsInGo() {
    assertThatThrownBy(() -> VolcanoResponses.predicate(json("{'status':'x','code':2.0}")))
        .isInstanceOf(VolcanoResponseException.class)
        .hasMessage("json: cannot unmarshal number 2.0 into Go struct field PredicateResponse.code of type int");
  }

  @Test
  void anEmptyBodyIsEof() {
    assertThatThrownBy(() -> VolcanoResponses.event(new byte[0])).hasMessage("EOF");
    assertThatThrownBy(() -> VolcanoResponses.predicate(json("[]")))
        .hasMessage("json: cannot unmarshal array into Go value of type PredicateResponse");
  }

  @Test
  void prioritizeWithoutScoresIsNotUsable() {
    PrioritizeResponse missing = VolcanoResponses.prioritize(json("{'errorMessage':''}"));
    PrioritizeResponse nullScores = VolcanoResponses.prioritize(json("{'nodeScore':null,'errorMessage':''}"));
    PrioritizeResponse failed = VolcanoResponses.prioritize(json("{'nodeScore':{},'errorMessage':'boom'}"));

    assertThat(missing.nodeScore()).isNull();
    assertThat(missing.usable()).isFalse();
    assertThat(nullScores.usable()).isFalse();
    assertThat(failed.usable()).isFalse();
    assertThat(VolcanoResponses.prioritize(json("{'nodeScore':{}}")).usable()).isTrue();
  }

  @Test
  void bodiesOverVolcanosTenMebibyteCapAreRefused() {
    byte[] big = new byte[VolcanoResponses.MAX_BODY_BYTES + 1];

    assertThatThrownBy(() -> VolcanoResponses.event(big)).hasMessage("http: request body too large");
  }

  @Test
  void eventErrorMessageIsRead() {
    assertThat(VolcanoResponses.event(json("{'errorMessage':'node n1 full'}")).ok()).isFalse();
    assertThat(VolcanoResponses.event(json("{}")).ok()).isTrue();
  }
}
