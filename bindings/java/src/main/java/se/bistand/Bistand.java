package se.bistand;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What needs no engine (version, status messages, the last error, pseudonyms) and the one way
 * every wrapper turns a call's status into a result or an exception.
 */
public final class Bistand {
    private Bistand() {}

    /** Unknown keys are ignored, so fields a newer library adds do not break an older binding. */
    static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The library version, e.g. "0.1.0" (bistand_version). */
    public static String version() {
        return NativeLib.LIB.bistand_version().getString(0, "UTF-8");
    }

    /** A one-line English description of a status (bistand_status_message). */
    public static String statusMessage(Status status) {
        return statusMessage(status.code());
    }

    /** As above, for a raw number; a number that is no status fails with INVALID_ARGUMENT. */
    public static String statusMessage(int status) {
        // bistand_status_message never sets the last error: the messages are the binding's.
        long[] needed = new long[1];
        int result = NativeLib.LIB.bistand_status_message(status, null, 0, needed);
        if (result != 0) {
            throw new BistandException(result, "okänd statuskod " + status, "unknown status code " + status);
        }
        byte[] buffer = new byte[(int) needed[0] + 1];
        long[] written = new long[1];
        result = NativeLib.LIB.bistand_status_message(status, buffer, buffer.length, written);
        if (result != 0) {
            throw new BistandException(result, "okänd statuskod " + status, "unknown status code " + status);
        }
        return new String(buffer, 0, (int) written[0], StandardCharsets.UTF_8);
    }

    /** The last failure's message on this thread (bistand_last_error); empty after a success. */
    public static String lastError(Language language) {
        long[] needed = new long[1];
        int status = NativeLib.LIB.bistand_last_error(language.code(), null, 0, needed);
        if (status != 0) {
            throw new BistandException(status, "", "bistand_last_error failed");
        }
        byte[] buffer = new byte[(int) needed[0] + 1];
        long[] written = new long[1];
        status = NativeLib.LIB.bistand_last_error(language.code(), buffer, buffer.length, written);
        if (status != 0) {
            throw new BistandException(status, "", "bistand_last_error failed");
        }
        return new String(buffer, 0, (int) written[0], StandardCharsets.UTF_8);
    }

    /**
     * The keyed pseudonym {@code "<keyId>:<64 hex>"} of a personnummer or samordningsnummer
     * (bistand_pseudonymise); referenceDate is today, "YYYY-MM-DD".
     */
    public static String pseudonymise(String keyId, byte[] key, String personnummer, String referenceDate) {
        return pseudonymise(keyId, key, bytes(personnummer), referenceDate);
    }

    /** As above, with the number as the bytes of its text. */
    public static String pseudonymise(String keyId, byte[] key, byte[] personnummer, String referenceDate) {
        PointerByReference out = new PointerByReference();
        check(NativeLib.LIB.bistand_pseudonymise(
                cString(keyId), key, len(key), personnummer, len(personnummer), cString(referenceDate), out));
        return new String(take(out), StandardCharsets.UTF_8);
    }

    /** UTF-8 that refuses what it cannot encode (a lone surrogate) instead of writing '?'. */
    static byte[] bytes(String text) {
        if (text == null) {
            return null;
        }
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            ByteBuffer buffer = encoder.encode(java.nio.CharBuffer.wrap(text));
            byte[] out = new byte[buffer.remaining()];
            buffer.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the text cannot be written as UTF-8 (a lone surrogate)", e);
        }
    }

    static byte[] cString(String text) {
        return text == null ? null : bytes(text + "\0");
    }

    static long len(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    /** Throws for a failure, with this thread's last error in both languages, read right away. */
    static void check(int status) {
        if (status != 0) {
            throw new BistandException(status, lastError(Language.SWEDISH), lastError(Language.ENGLISH));
        }
    }

    /** The bytes of the buffer an output pointer received; the buffer is released. */
    static byte[] take(PointerByReference out) {
        Pointer buf = out.getValue();
        try {
            long length = NativeLib.LIB.bistand_buf_len(buf);
            return length == 0 ? new byte[0] : NativeLib.LIB.bistand_buf_data(buf).getByteArray(0, (int) length);
        } finally {
            NativeLib.LIB.bistand_buf_free(buf);
        }
    }

    static <T> T parse(byte[] json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (IOException e) {
            throw new UncheckedIOException("bistand's JSON did not match " + type.getSimpleName(), e);
        }
    }

    static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
