package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** One table of a group report. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Table(
        @JsonProperty("id") String id,
        @JsonProperty("title") LocalText title,
        @JsonProperty("unit") String unit,
        @JsonProperty("description") LocalText description,
        @JsonProperty("rows_are") String rowsAre,
        @JsonProperty("rows_label") LocalText rowsLabel,
        @JsonProperty("categories") List<Code> categories,
        @JsonProperty("rows") List<Row> rows) {}
