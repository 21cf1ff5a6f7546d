package se.bistand;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * An open encrypted record store: an SQLite file and its keys (bistand_store_open). Thread-safe;
 * open one per file and process, close it when done.
 */
public final class Store implements AutoCloseable {
    private Pointer handle;

    /**
     * Opens (or creates) the store at path with keys in the format of the sidecar's keys file
     * ({"pseudonym_key": {"id", "secret_hex"}, "data_keys": [...], "active_data_key"}).
     */
    public Store(String path, String keysJson) {
        this(path, Bistand.bytes(keysJson));
    }

    public Store(String path, byte[] keysJson) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_store_open(Bistand.cString(path), keysJson, Bistand.len(keysJson), out));
        handle = out.getValue();
    }

    synchronized Pointer handle() {
        if (handle == null) {
            throw new IllegalStateException("the store is closed");
        }
        return handle;
    }

    /**
     * Validates a document with engine and, if it has no error findings, stores it sealed under
     * the client's pseudonym (bistand_store_put). clientId is a personnummer, samordningsnummer or
     * case number; it is never stored. principal names who stores it (a user or service, never a
     * client) for the audit log, which records every stored record.
     */
    public PutResult put(Engine engine, String clientId, byte[] document, String referenceDate, String principal) {
        return Bistand.parse(putJson(engine, Bistand.bytes(clientId), document, referenceDate, principal),
                PutResult.class);
    }

    /** As above, with the exact bytes; engine null passes NULL (refused by the library). */
    public byte[] putJson(Engine engine, byte[] clientId, byte[] document, String referenceDate, String principal) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_store_put(handle(), engine == null ? null : engine.handle(), clientId,
                Bistand.len(clientId), document, Bistand.len(document), Bistand.cString(referenceDate),
                Bistand.cString(principal), out));
        return Bistand.take(out);
    }

    /** The stored document, exactly the bytes that were put (bistand_store_get). */
    public byte[] get(String recordId) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_store_get(handle(), Bistand.cString(recordId), out));
        return Bistand.take(out);
    }

    /**
     * The group report of an instrument over the stored records (bistand_store_report), always
     * perturbed under the store's statistics key; options.units() picks units (null: all). Exact
     * counts are refused: a store never gives them.
     */
    public StoreReportResult report(Engine engine, String instrument, ReportOptions options) {
        return Bistand.parse(reportBytes(engine, instrument, options == null ? null : Bistand.write(options)),
                StoreReportResult.class);
    }

    /** The report's exact bytes (JSON or CSV as the options say); engine null passes NULL. */
    public byte[] reportBytes(Engine engine, String instrument, byte[] optionsJson) {
        PointerByReference out = new PointerByReference();
        Bistand.check(NativeLib.LIB.bistand_store_report(handle(), engine == null ? null : engine.handle(),
                Bistand.cString(instrument), optionsJson, Bistand.len(optionsJson), out));
        return Bistand.take(out);
    }

    /** Closes the store (bistand_store_free); closing twice is a no-op. */
    @Override
    public synchronized void close() {
        if (handle != null) {
            NativeLib.LIB.bistand_store_free(handle);
            handle = null;
        }
    }
}
