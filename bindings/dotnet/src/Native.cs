// Every C function of include/bistand.h, one declaration each, in the header's order. Strings go
// in as NUL-terminated UTF-8 byte arrays (the binding encodes them, so the platform's ANSI code
// page never matters); a null array is a NULL pointer, which the library itself refuses or
// accepts as the header says. To add a function: declare it here, wrap it in Engine, Store or
// Library, and exercise it in tests/Tests.cs.
using System;
using System.Runtime.InteropServices;

namespace Bistand
{
    internal static class Native
    {
        /// <summary>libbistand.so on Linux, bistand.dll on Windows, libbistand.dylib on macOS:
        /// from runtimes/&lt;rid&gt;/native in the NuGet package.</summary>
        private const string Lib = "bistand";

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr bistand_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_engine_new(byte[] profile, UIntPtr profileLen, out EngineHandle engine);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_engine_new_with_definitions(
            byte[] definitions, UIntPtr definitionsLen, byte[] profile, UIntPtr profileLen, out EngineHandle engine);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void bistand_engine_free(IntPtr engine);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_validate(
            EngineHandle engine, byte[] instrument, byte[] doc, UIntPtr docLen, out BufHandle report);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_summary(
            EngineHandle engine, byte[] instrument, byte[] doc, UIntPtr docLen, byte[] today, out BufHandle summary);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_summary_page(
            EngineHandle engine, byte[] instrument, byte[] doc, UIntPtr docLen, byte[] today, Language language,
            out BufHandle page);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_definition(
            EngineHandle engine, byte[] instrument, byte[] version, out BufHandle definition);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_schema(
            EngineHandle engine, byte[] instrument, byte[] version, out BufHandle schema);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_definition_fhir(
            EngineHandle engine, byte[] instrument, byte[] version, out BufHandle questionnaire);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_questionnaire_response_validate(
            EngineHandle engine, byte[] response, UIntPtr responseLen, out BufHandle result);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_pseudonymise(
            byte[] keyId, byte[] key, UIntPtr keyLen, byte[] personnummer, UIntPtr personnummerLen,
            byte[] referenceDate, out BufHandle pseudonym);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_report(
            EngineHandle engine, byte[] instrument, byte[] ndjson, UIntPtr ndjsonLen, byte[] keysJson,
            UIntPtr keysLen, byte[] options, UIntPtr optionsLen, out BufHandle report);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr bistand_buf_data(BufHandle buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr bistand_buf_len(BufHandle buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void bistand_buf_free(IntPtr buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_status_message(
            Status status, byte[] output, UIntPtr outputLen, out UIntPtr written);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_last_error(
            Language language, byte[] output, UIntPtr outputLen, out UIntPtr written);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_store_open(
            byte[] path, byte[] keysJson, UIntPtr keysLen, out StoreHandle store);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void bistand_store_free(IntPtr store);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_store_put(
            StoreHandle store, EngineHandle engine, byte[] clientId, UIntPtr clientIdLen, byte[] doc,
            UIntPtr docLen, byte[] referenceDate, byte[] principal, out BufHandle result);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_store_get(StoreHandle store, byte[] recordId, out BufHandle document);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_store_report(
            StoreHandle store, EngineHandle engine, byte[] instrument, byte[] options, UIntPtr optionsLen,
            out BufHandle report);
    }
}
