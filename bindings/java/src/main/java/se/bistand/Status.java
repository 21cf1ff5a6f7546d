package se.bistand;

/**
 * What a bistand call returned (bistand_status in include/bistand.h): permanent numbers in bands,
 * 1xx the calling program broke the convention, 2xx the input cannot be processed, 9xx a bug in
 * bistand. A test (ffi/tests/integration/header.rs) checks the numbers are the header's.
 */
public enum Status {
    OK(0),
    NULL_POINTER(100),
    INVALID_UTF8_ARGUMENT(101),
    BUFFER_TOO_SMALL(102),
    INVALID_ARGUMENT(103),
    INVALID_UTF8(200),
    MALFORMED_JSON(201),
    TOO_LARGE(202),
    TOO_DEEP(203),
    INVALID_DOCUMENT(204),
    UNKNOWN_INSTRUMENT(205),
    UNKNOWN_VERSION(206),
    INSTRUMENT_MISMATCH(207),
    INVALID_DEFINITION(208),
    INVALID_PROFILE(209),
    INVALID_IDENTIFIER(210),
    DOCUMENT_NOT_VALID(211),
    OUT_OF_RANGE(212),
    UNKNOWN_KEY(213),
    INTEGRITY_FAILURE(214),
    NOT_FOUND(215),
    STORE_ERROR(216),
    WRONG_KEYS(217),
    INPUT_ERROR(299),
    PANIC(900),
    INTERNAL_ERROR(901);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /** The number the C function returns. */
    public int code() {
        return code;
    }

    /** The status of a number; null for a number this version does not know. */
    public static Status of(int code) {
        for (Status status : values()) {
            if (status.code == code) {
                return status;
            }
        }
        return null;
    }
}
