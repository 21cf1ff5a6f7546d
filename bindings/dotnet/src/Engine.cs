// The engine: definitions and an organisation profile, checked once; validation, summaries,
// definitions, schemas and group reports. Each operation has a typed form and a *Json form that
// returns bistand's exact bytes (what the conformance suite compares).
using System;

namespace Bistand
{
    /// <summary>Loaded definitions and an optional organisation profile (bistand_engine_new).
    /// Create one and share it: every method may be called from many threads at once. Dispose it
    /// when done.</summary>
    public sealed class Engine : IDisposable
    {
        private readonly EngineHandle handle;

        /// <summary>An engine with no profile.</summary>
        public Engine() : this((byte[])null) { }

        /// <summary>An engine with a profile (JSON, e.g. {"hidden_items": {"fia": ["arbete.yrke"]}});
        /// null or empty: none.</summary>
        public Engine(string profileJson) : this(Library.Bytes(profileJson)) { }

        public Engine(byte[] profileJson)
        {
            Library.Check(Native.bistand_engine_new(profileJson, Library.Len(profileJson), out handle));
        }

        private Engine(EngineHandle handle)
        {
            this.handle = handle;
        }

        /// <summary>An engine with instrument definitions the caller supplies beside the shipped
        /// ones (bistand_engine_new_with_definitions): definitionsJson is a JSON array of definition
        /// objects, each what one definition file holds (see docs/definitions.md); profileJson as for
        /// the constructor. A definition the compiler refuses is an exception naming its position,
        /// item and rule.</summary>
        public static Engine WithDefinitions(byte[] definitionsJson, byte[] profileJson = null)
        {
            EngineHandle handle;
            Library.Check(Native.bistand_engine_new_with_definitions(
                definitionsJson, Library.Len(definitionsJson), profileJson, Library.Len(profileJson), out handle));
            return new Engine(handle);
        }

        internal EngineHandle Handle
        {
            get { return handle; }
        }

        /// <summary>The validation report of a document (bistand_validate). A document that breaks
        /// the rules is not an exception: the report lists its findings. instrument null accepts
        /// whichever the document names.</summary>
        public ValidationReport Validate(byte[] document, string instrument = null)
        {
            return Json.Parse<ValidationReport>(ValidateJson(document, instrument));
        }

        public byte[] ValidateJson(byte[] document, string instrument = null)
        {
            BufHandle report;
            Library.Check(Native.bistand_validate(
                handle, Library.CString(instrument), document, Library.Len(document), out report));
            return Library.Take(report);
        }

        /// <summary>The derived summary of a FIA document without error findings (bistand_summary).
        /// today, "YYYY-MM-DD", picks the next follow-up; null leaves that choice out.</summary>
        public FiaSummary Summary(byte[] document, string today, string instrument = null)
        {
            return Json.Parse<FiaSummary>(SummaryJson(document, today, instrument));
        }

        public byte[] SummaryJson(byte[] document, string today, string instrument = null)
        {
            BufHandle summary;
            Library.Check(Native.bistand_summary(
                handle, Library.CString(instrument), document, Library.Len(document), Library.CString(today),
                out summary));
            return Library.Take(summary);
        }

        /// <summary>The printable summary of a FIA document without error findings
        /// (bistand_summary_page): one self-contained HTML page (UTF-8) for the client's file, with
        /// labels in language and never codes; it prints on A4. today as for Summary.</summary>
        public string SummaryPage(byte[] document, string today, Language language, string instrument = null)
        {
            BufHandle page;
            Library.Check(Native.bistand_summary_page(
                handle, Library.CString(instrument), document, Library.Len(document), Library.CString(today),
                language, out page));
            return Library.Text(page);
        }

        /// <summary>An instrument definition (bistand_definition); version null: the newest.</summary>
        public Definition Definition(string instrument, string version = null)
        {
            return Json.Parse<Definition>(DefinitionJson(instrument, version));
        }

        public byte[] DefinitionJson(string instrument, string version = null)
        {
            BufHandle definition;
            Library.Check(Native.bistand_definition(
                handle, Library.CString(instrument), Library.CString(version), out definition));
            return Library.Take(definition);
        }

        /// <summary>The JSON Schema (2020-12) of an instrument's documents (bistand_schema), as
        /// text: hand it to the JSON Schema library of your choice.</summary>
        public string SchemaJson(string instrument, string version = null)
        {
            BufHandle schema;
            Library.Check(Native.bistand_schema(
                handle, Library.CString(instrument), Library.CString(version), out schema));
            return Library.Text(schema);
        }

        /// <summary>An instrument definition as a FHIR R4 Questionnaire (bistand_definition_fhir),
        /// as JSON text; version null: the newest.</summary>
        public string DefinitionFhirJson(string instrument, string version = null)
        {
            BufHandle questionnaire;
            Library.Check(Native.bistand_definition_fhir(
                handle, Library.CString(instrument), Library.CString(version), out questionnaire));
            return Library.Text(questionnaire);
        }

        /// <summary>A FHIR R4 QuestionnaireResponse read as a bistand document and validated
        /// (bistand_questionnaire_response_validate): JSON {"document", "report"}.</summary>
        public byte[] ValidateQuestionnaireResponseJson(byte[] response)
        {
            BufHandle result;
            Library.Check(Native.bistand_questionnaire_response_validate(
                handle, response, Library.Len(response), out result));
            return Library.Take(result);
        }

        /// <summary>Group statistics with disclosure control over NDJSON documents (bistand_report),
        /// as JSON: the report and the two counts of skipped lines. Counts are perturbed under the
        /// statistics key of keysJson (the keys file, which also identifies persons); with null keys
        /// the options must ask for exact counts (Exact = true: the data owner only, never for
        /// publication).</summary>
        public GroupReportResult Report(string instrument, byte[] ndjson, byte[] keysJson, ReportOptions options)
        {
            if (options != null && options.Format != null && options.Format != "json")
            {
                throw new ArgumentException("Report returns the JSON form; use ReportBytes for CSV");
            }
            return Json.Parse<GroupReportResult>(ReportBytes(instrument, ndjson, keysJson, options));
        }

        /// <summary>The report's exact bytes, JSON or CSV as options.Format says.</summary>
        public byte[] ReportBytes(string instrument, byte[] ndjson, byte[] keysJson, ReportOptions options)
        {
            return ReportBytes(instrument, ndjson, keysJson, options == null ? null : Json.Write(options));
        }

        /// <summary>As above, with the options as raw JSON (null: none, which the library refuses).</summary>
        public byte[] ReportBytes(string instrument, byte[] ndjson, byte[] keysJson, byte[] optionsJson)
        {
            BufHandle report;
            Library.Check(Native.bistand_report(
                handle, Library.CString(instrument), ndjson, Library.Len(ndjson), keysJson, Library.Len(keysJson),
                optionsJson, Library.Len(optionsJson), out report));
            return Library.Take(report);
        }

        public void Dispose()
        {
            handle.Dispose();
        }
    }
}
