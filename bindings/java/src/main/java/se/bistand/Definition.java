package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** An instrument definition: what a form is rendered from. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Definition(
        @JsonProperty("instrument") String instrument,
        @JsonProperty("version") String version,
        @JsonProperty("title") LocalText title,
        @JsonProperty("description") LocalText description,
        @JsonProperty("code_lists") Map<String, List<Code>> codeLists,
        @JsonProperty("sections") List<Section> sections) {}
