package io.github.volcanovgpu.bridge.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {
  @ParameterizedTest
  @CsvSource({"3000,3000", "1k,1000", "2Ki,2048", "1e3,1000", "1500m,2", "0.1,1"})
  void valueRoundsUpAsGosQuantityValue(String quantity, long expected) {
    assertThat(Quantities.value(quantity)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"3000,3000", "1k,1000", "2Ki,2048", "1e3,1000", "2000m,2"})
  void wholeValuesKeepTheirValue(String quantity, long expected) {
    assertThat(Quantities.wholeValue(quantity)).isEqualTo(expected);
  }

  /** Regression: a device count of "1.5" was read as 2 (found by the device kind contract kit). */
  @ParameterizedTest
  @ValueSource(strings = {"1.5", "500m", "0.1", "1500m"})
  void fractionsAreRefusedWhereAWholeNumberIsNeeded(String quantity) {
    assertThatThrownBy(() -> Quantities.wholeValue(quantity)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"" + quantity + "\" is not a whole number");
  }
}
