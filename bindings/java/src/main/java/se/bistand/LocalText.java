package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A text in Swedish and English. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LocalText(
        @JsonProperty("sv") String sv,
        @JsonProperty("en") String en) {}
