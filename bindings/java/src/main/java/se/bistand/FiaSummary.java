package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** A FIA document's derived summary (docs/summary.md). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FiaSummary(
        @JsonProperty("instrument") String instrument,
        @JsonProperty("version") String version,
        @JsonProperty("status") String status,
        @JsonProperty("interview_date") String interviewDate,
        @JsonProperty("areas") List<AreaSummary> areas,
        @JsonProperty("affected_areas") List<String> affectedAreas,
        @JsonProperty("ranking") List<String> ranking,
        @JsonProperty("ranked_first") String rankedFirst,
        @JsonProperty("overall_assessment") Assessment overallAssessment,
        @JsonProperty("plan") PlanSummary plan) {}
