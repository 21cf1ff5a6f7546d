package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The perturbation applied to every count of a report: at most maxDeviation either way. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Perturbation(
        @JsonProperty("max_deviation") int maxDeviation,
        @JsonProperty("variance") double variance) {}
