package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A section of a definition. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Section(
        @JsonProperty("id") String id,
        @JsonProperty("part") String part,
        @JsonProperty("label") LocalText label,
        @JsonProperty("help") LocalText help,
        @JsonProperty("items") List<Item> items) {}
