package se.bistand;

/** The language of a message (bistand_language). */
public enum Language {
    SWEDISH(0),
    ENGLISH(1);

    private final int code;

    Language(int code) {
        this.code = code;
    }

    /** The number the C function takes. */
    public int code() {
        return code;
    }
}
