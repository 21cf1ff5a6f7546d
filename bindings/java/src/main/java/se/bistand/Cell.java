package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One number of a table; a suppressed count is null; {@code weeks} only in a quartile of the time to first intervention. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Cell(
        @JsonProperty("count") Long count,
        @JsonProperty("base") Long base,
        @JsonProperty("share") Double share,
        @JsonProperty("interval") double[] interval,
        @JsonProperty("suppressed") boolean suppressed,
        @JsonProperty("weeks") Integer weeks) {}
