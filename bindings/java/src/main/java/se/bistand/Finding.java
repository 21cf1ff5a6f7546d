package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One finding of a validation: severity "error" or "warning", a stable code, the path of the answer, the message in both languages. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Finding(
        @JsonProperty("severity") String severity,
        @JsonProperty("code") String code,
        @JsonProperty("path") String path,
        @JsonProperty("message") LocalText message) {}
