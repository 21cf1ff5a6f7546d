// The embedded encrypted record store (bistand_store_*).
using System;

namespace Bistand
{
    /// <summary>An open encrypted record store: an SQLite file and its keys
    /// (bistand_store_open). Thread-safe; open one per file and process, dispose it when done.</summary>
    public sealed class Store : IDisposable
    {
        private readonly StoreHandle handle;

        /// <summary>Opens (or creates) the store at path with keys in the format of the sidecar's
        /// keys file ({"pseudonym_key": {"id", "secret_hex"}, "data_keys": [...],
        /// "active_data_key"}).</summary>
        public Store(string path, string keysJson) : this(path, Library.Bytes(keysJson)) { }

        public Store(string path, byte[] keysJson)
        {
            Library.Check(Native.bistand_store_open(
                Library.CString(path), keysJson, Library.Len(keysJson), out handle));
        }

        /// <summary>Validates a document with engine and, if it has no error findings, stores it
        /// sealed under the client's pseudonym (bistand_store_put). clientId is a personnummer,
        /// samordningsnummer or case number; it is never stored. principal names who stores it (a
        /// user or service, never a client) for the audit log, which records every stored record.</summary>
        public PutResult Put(Engine engine, string clientId, byte[] document, string referenceDate, string principal)
        {
            return Json.Parse<PutResult>(PutJson(engine, Library.Bytes(clientId), document, referenceDate, principal));
        }

        public byte[] PutJson(Engine engine, byte[] clientId, byte[] document, string referenceDate, string principal)
        {
            BufHandle result;
            Library.Check(Native.bistand_store_put(
                handle, engine == null ? new EngineHandle() : engine.Handle, clientId, Library.Len(clientId),
                document, Library.Len(document), Library.CString(referenceDate), Library.CString(principal),
                out result));
            return Library.Take(result);
        }

        /// <summary>The stored document, exactly the bytes that were put (bistand_store_get).</summary>
        public byte[] Get(string recordId)
        {
            BufHandle document;
            Library.Check(Native.bistand_store_get(handle, Library.CString(recordId), out document));
            return Library.Take(document);
        }

        /// <summary>The group report of an instrument over the stored records (bistand_store_report),
        /// always perturbed under the store's statistics key; options.Units picks units (null: all).
        /// Exact counts are refused: a store never gives them.</summary>
        public StoreReportResult Report(Engine engine, string instrument, ReportOptions options)
        {
            return Json.Parse<StoreReportResult>(ReportBytes(engine, instrument, options == null ? null : Json.Write(options)));
        }

        /// <summary>The report's exact bytes (JSON or CSV as the options say).</summary>
        public byte[] ReportBytes(Engine engine, string instrument, byte[] optionsJson)
        {
            BufHandle report;
            Library.Check(Native.bistand_store_report(
                handle, engine == null ? new EngineHandle() : engine.Handle, Library.CString(instrument), optionsJson,
                Library.Len(optionsJson), out report));
            return Library.Take(report);
        }

        public void Dispose()
        {
            handle.Dispose();
        }
    }
}
