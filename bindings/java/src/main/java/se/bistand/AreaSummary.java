package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One life area of a FIA summary. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AreaSummary(
        @JsonProperty("area") String area,
        @JsonProperty("label") LocalText label,
        @JsonProperty("extent") String extent,
        @JsonProperty("affected") boolean affected,
        @JsonProperty("client_rating") String clientRating,
        @JsonProperty("affects_work") String affectsWork,
        @JsonProperty("wants_help") String wantsHelp) {}
