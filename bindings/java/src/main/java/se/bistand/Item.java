package se.bistand;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** An item (a question) of a definition; conditions and bounds are in definitionJson. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Item(
        @JsonProperty("id") String id,
        @JsonProperty("kind") String kind,
        @JsonProperty("label") LocalText label,
        @JsonProperty("help") LocalText help,
        @JsonProperty("required") Boolean required,
        @JsonProperty("hideable") Boolean hideable,
        @JsonProperty("code_list") String codeList,
        @JsonProperty("items") List<Item> items) {}
