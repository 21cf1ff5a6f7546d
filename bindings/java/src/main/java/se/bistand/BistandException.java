package se.bistand;

/**
 * A failed bistand call: its status (and the raw number, for a status newer than this binding)
 * and bistand's precise message in Swedish (for caseworkers) and English (for developers and
 * logs; also {@link #getMessage()}). Messages never repeat answers, names or identifiers.
 */
public final class BistandException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String messageSv;
    private final String messageEn;

    public BistandException(int code, String messageSv, String messageEn) {
        super(messageEn + " (" + Status.of(code) + ", " + code + ")");
        this.code = code;
        this.messageSv = messageSv;
        this.messageEn = messageEn;
    }

    /** The status, or null for a number this binding does not know (see {@link #code()}). */
    public Status status() {
        return Status.of(code);
    }

    /** The number the C function returned. */
    public int code() {
        return code;
    }

    /** The message in Swedish. */
    public String messageSv() {
        return messageSv;
    }

    /** The message in English. */
    public String messageEn() {
        return messageEn;
    }
}
