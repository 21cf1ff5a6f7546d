package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Group statistics after disclosure control. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GroupReport(
        @JsonProperty("instrument") String instrument,
        @JsonProperty("title") LocalText title,
        @JsonProperty("as_of") String asOf,
        @JsonProperty("threshold") int threshold,
        @JsonProperty("records") long records,
        @JsonProperty("persons") long persons,
        @JsonProperty("exact") boolean exact,
        @JsonProperty("perturbation") Perturbation perturbation,
        @JsonProperty("notes") List<LocalText> notes,
        @JsonProperty("tables") List<Table> tables) {}
