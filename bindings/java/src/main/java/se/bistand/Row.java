package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A row of a report table. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Row(
        @JsonProperty("code") String code,
        @JsonProperty("label") LocalText label,
        @JsonProperty("cells") List<Cell> cells) {}
