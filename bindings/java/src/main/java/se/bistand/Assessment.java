package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The interviewer's overall assessment in a FIA summary. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Assessment(
        @JsonProperty("category") String category,
        @JsonProperty("label") LocalText label,
        @JsonProperty("social_support_need") boolean socialSupportNeed,
        @JsonProperty("work_support_need") boolean workSupportNeed) {}
