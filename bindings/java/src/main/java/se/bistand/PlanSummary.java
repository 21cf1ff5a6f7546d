package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The implementation plan in a FIA summary. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PlanSummary(
        @JsonProperty("goals") int goals,
        @JsonProperty("sub_goals") int subGoals,
        @JsonProperty("next_follow_up") String nextFollowUp) {}
