package se.bistand;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Every C function of include/bistand.h, one declaration each, in the header's order. Strings go
 * in as NUL-terminated UTF-8 byte arrays (the binding encodes them, so the platform charset never
 * matters); a null array is a NULL pointer, which the library refuses or accepts as the header
 * says. size_t is long (64-bit platforms). To add a function: declare it here, wrap it in Engine,
 * Store or Bistand, and exercise it in the tests.
 */
interface NativeLib extends Library {
    /** libbistand.so / bistand.dll / libbistand.dylib, found through jna.library.path. */
    NativeLib LIB = Native.load("bistand", NativeLib.class);

    Pointer bistand_version();

    int bistand_engine_new(byte[] profile, long profileLen, PointerByReference engineOut);

    int bistand_engine_new_with_definitions(byte[] definitions, long definitionsLen, byte[] profile, long profileLen,
            PointerByReference engineOut);

    void bistand_engine_free(Pointer engine);

    int bistand_validate(Pointer engine, byte[] instrument, byte[] doc, long docLen, PointerByReference reportOut);

    int bistand_summary(Pointer engine, byte[] instrument, byte[] doc, long docLen, byte[] today,
            PointerByReference summaryOut);

    int bistand_summary_page(Pointer engine, byte[] instrument, byte[] doc, long docLen, byte[] today,
            int language, PointerByReference pageOut);

    int bistand_definition(Pointer engine, byte[] instrument, byte[] version, PointerByReference definitionOut);

    int bistand_schema(Pointer engine, byte[] instrument, byte[] version, PointerByReference schemaOut);

    int bistand_definition_fhir(Pointer engine, byte[] instrument, byte[] version, PointerByReference questionnaireOut);

    int bistand_questionnaire_response_validate(Pointer engine, byte[] response, long responseLen,
            PointerByReference resultOut);

    int bistand_pseudonymise(byte[] keyId, byte[] key, long keyLen, byte[] personnummer, long personnummerLen,
            byte[] referenceDate, PointerByReference pseudonymOut);

    int bistand_report(Pointer engine, byte[] instrument, byte[] ndjson, long ndjsonLen, byte[] keysJson,
            long keysLen, byte[] options, long optionsLen, PointerByReference reportOut);

    Pointer bistand_buf_data(Pointer buf);

    long bistand_buf_len(Pointer buf);

    void bistand_buf_free(Pointer buf);

    int bistand_status_message(int status, byte[] out, long outLen, long[] writtenOut);

    int bistand_last_error(int language, byte[] out, long outLen, long[] writtenOut);

    int bistand_store_open(byte[] path, byte[] keysJson, long keysLen, PointerByReference storeOut);

    void bistand_store_free(Pointer store);

    int bistand_store_put(Pointer store, Pointer engine, byte[] clientId, long clientIdLen, byte[] doc, long docLen,
            byte[] referenceDate, byte[] principal, PointerByReference resultOut);

    int bistand_store_get(Pointer store, byte[] recordId, PointerByReference documentOut);

    int bistand_store_report(Pointer store, Pointer engine, byte[] instrument, byte[] options, long optionsLen,
            PointerByReference reportOut);
}
