// Typed results, deserialised from bistand's JSON. Names follow the JSON keys (documented in
// include/bistand.h, docs/findings.md, docs/summary.md and core/instruments/README.md).
using System.Collections.Generic;
using System.Runtime.Serialization;

namespace Bistand
{
    /// <summary>A text in Swedish and English.</summary>
    [DataContract]
    public sealed class LocalText
    {
        [DataMember(Name = "sv")] public string Sv { get; set; }
        [DataMember(Name = "en")] public string En { get; set; }
    }

    /// <summary>One finding of a validation: severity "error" or "warning", a stable code, the
    /// path of the answer, and the message in both languages.</summary>
    [DataContract]
    public sealed class Finding
    {
        [DataMember(Name = "severity")] public string Severity { get; set; }
        [DataMember(Name = "code")] public string Code { get; set; }
        [DataMember(Name = "path")] public string Path { get; set; }
        [DataMember(Name = "message")] public LocalText Message { get; set; }

        public bool IsError
        {
            get { return Severity == "error"; }
        }
    }

    /// <summary>The validation report of one document.</summary>
    [DataContract]
    public sealed class ValidationReport
    {
        [DataMember(Name = "instrument")] public string Instrument { get; set; }
        [DataMember(Name = "version")] public string Version { get; set; }
        [DataMember(Name = "status")] public string Status { get; set; }
        [DataMember(Name = "valid")] public bool Valid { get; set; }
        [DataMember(Name = "errors")] public int Errors { get; set; }
        [DataMember(Name = "warnings")] public int Warnings { get; set; }
        [DataMember(Name = "findings")] public List<Finding> Findings { get; set; }
    }

    /// <summary>A FIA document's derived summary (docs/summary.md).</summary>
    [DataContract]
    public sealed class FiaSummary
    {
        [DataMember(Name = "instrument")] public string Instrument { get; set; }
        [DataMember(Name = "version")] public string Version { get; set; }
        [DataMember(Name = "status")] public string Status { get; set; }
        [DataMember(Name = "interview_date")] public string InterviewDate { get; set; }
        [DataMember(Name = "areas")] public List<AreaSummary> Areas { get; set; }
        [DataMember(Name = "affected_areas")] public List<string> AffectedAreas { get; set; }
        [DataMember(Name = "ranking")] public List<string> Ranking { get; set; }
        [DataMember(Name = "ranked_first")] public string RankedFirst { get; set; }
        [DataMember(Name = "overall_assessment")] public Assessment OverallAssessment { get; set; }
        [DataMember(Name = "plan")] public PlanSummary Plan { get; set; }
    }

    [DataContract]
    public sealed class AreaSummary
    {
        [DataMember(Name = "area")] public string Area { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
        [DataMember(Name = "extent")] public string Extent { get; set; }
        [DataMember(Name = "affected")] public bool Affected { get; set; }
        [DataMember(Name = "client_rating")] public string ClientRating { get; set; }
        [DataMember(Name = "affects_work")] public string AffectsWork { get; set; }
        [DataMember(Name = "wants_help")] public string WantsHelp { get; set; }
    }

    [DataContract]
    public sealed class Assessment
    {
        [DataMember(Name = "category")] public string Category { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
        [DataMember(Name = "social_support_need")] public bool SocialSupportNeed { get; set; }
        [DataMember(Name = "work_support_need")] public bool WorkSupportNeed { get; set; }
    }

    [DataContract]
    public sealed class PlanSummary
    {
        [DataMember(Name = "goals")] public int Goals { get; set; }
        [DataMember(Name = "sub_goals")] public int SubGoals { get; set; }
        [DataMember(Name = "next_follow_up")] public string NextFollowUp { get; set; }
    }

    /// <summary>An instrument definition: what a form is rendered from.</summary>
    [DataContract]
    public sealed class Definition
    {
        [DataMember(Name = "instrument")] public string Instrument { get; set; }
        [DataMember(Name = "version")] public string Version { get; set; }
        [DataMember(Name = "title")] public LocalText Title { get; set; }
        [DataMember(Name = "description")] public LocalText Description { get; set; }
        [DataMember(Name = "code_lists")] public Dictionary<string, List<Code>> CodeLists { get; set; }
        [DataMember(Name = "sections")] public List<Section> Sections { get; set; }
    }

    [DataContract]
    public sealed class Code
    {
        [DataMember(Name = "code")] public string Value { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
    }

    [DataContract]
    public sealed class Section
    {
        [DataMember(Name = "id")] public string Id { get; set; }
        [DataMember(Name = "part")] public string Part { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
        [DataMember(Name = "help")] public LocalText Help { get; set; }
        [DataMember(Name = "items")] public List<Item> Items { get; set; }
    }

    /// <summary>An item (a question) of a definition. Conditions and bounds are in the JSON
    /// (DefinitionJson) for renderers that need them.</summary>
    [DataContract]
    public sealed class Item
    {
        [DataMember(Name = "id")] public string Id { get; set; }
        [DataMember(Name = "kind")] public string Kind { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
        [DataMember(Name = "help")] public LocalText Help { get; set; }
        [DataMember(Name = "required")] public bool? Required { get; set; }
        [DataMember(Name = "hideable")] public bool? Hideable { get; set; }
        [DataMember(Name = "code_list")] public string CodeList { get; set; }
        [DataMember(Name = "items")] public List<Item> Items { get; set; }
    }

    /// <summary>Options of a group report (bistand_report); null members are left out.</summary>
    [DataContract]
    public sealed class ReportOptions
    {
        /// <summary>The date the report describes, "YYYY-MM-DD" (required).</summary>
        [DataMember(Name = "as_of", EmitDefaultValue = false)] public string AsOf { get; set; }
        /// <summary>The disclosure threshold, at least 5 (default 5).</summary>
        [DataMember(Name = "threshold", EmitDefaultValue = false)] public int? Threshold { get; set; }
        [DataMember(Name = "breakdowns", EmitDefaultValue = false)] public List<string> Breakdowns { get; set; }
        /// <summary>Exact counts (bistand_report only; the data owner over their own documents, never
        /// for publication). Null or false: perturbed.</summary>
        [DataMember(Name = "exact", EmitDefaultValue = false)] public bool? Exact { get; set; }
        /// <summary>Who asks, a user or service name, for the store's audit log
        /// (bistand_store_report only, required there).</summary>
        [DataMember(Name = "principal", EmitDefaultValue = false)] public string Principal { get; set; }
        /// <summary>The units to count (bistand_store_report only); null: every unit.</summary>
        [DataMember(Name = "units", EmitDefaultValue = false)] public List<string> Units { get; set; }
        /// <summary>"json" (default) or "csv".</summary>
        [DataMember(Name = "format", EmitDefaultValue = false)] public string Format { get; set; }
        /// <summary>"sv" (default) or "en": the language of CSV headings.</summary>
        [DataMember(Name = "language", EmitDefaultValue = false)] public string Language { get; set; }
    }

    /// <summary>bistand_report's JSON: the report and what was skipped.</summary>
    [DataContract]
    public sealed class GroupReportResult
    {
        [DataMember(Name = "report")] public GroupReport Report { get; set; }
        [DataMember(Name = "unreadable_lines")] public long UnreadableLines { get; set; }
        [DataMember(Name = "documents_with_errors")] public long DocumentsWithErrors { get; set; }
    }

    /// <summary>bistand_store_report's JSON: the report and the stored records that could not be
    /// read (altered, or not documents of the instrument) and so were left out.</summary>
    [DataContract]
    public sealed class StoreReportResult
    {
        [DataMember(Name = "report")] public GroupReport Report { get; set; }
        [DataMember(Name = "records_not_counted")] public long RecordsNotCounted { get; set; }
    }

    /// <summary>Group statistics after disclosure control.</summary>
    [DataContract]
    public sealed class GroupReport
    {
        [DataMember(Name = "instrument")] public string Instrument { get; set; }
        [DataMember(Name = "title")] public LocalText Title { get; set; }
        [DataMember(Name = "as_of")] public string AsOf { get; set; }
        [DataMember(Name = "threshold")] public int Threshold { get; set; }
        [DataMember(Name = "records")] public long Records { get; set; }
        [DataMember(Name = "persons")] public long Persons { get; set; }
        [DataMember(Name = "exact")] public bool Exact { get; set; }
        [DataMember(Name = "perturbation")] public Perturbation Perturbation { get; set; }
        [DataMember(Name = "notes")] public List<LocalText> Notes { get; set; }
        [DataMember(Name = "tables")] public List<Table> Tables { get; set; }
    }

    /// <summary>The perturbation applied to every count: at most MaxDeviation either way.</summary>
    [DataContract]
    public sealed class Perturbation
    {
        [DataMember(Name = "max_deviation")] public int MaxDeviation { get; set; }
        [DataMember(Name = "variance")] public double Variance { get; set; }
    }

    [DataContract]
    public sealed class Table
    {
        [DataMember(Name = "id")] public string Id { get; set; }
        [DataMember(Name = "title")] public LocalText Title { get; set; }
        [DataMember(Name = "unit")] public string Unit { get; set; }
        [DataMember(Name = "description")] public LocalText Description { get; set; }
        [DataMember(Name = "rows_are")] public string RowsAre { get; set; }
        [DataMember(Name = "rows_label")] public LocalText RowsLabel { get; set; }
        [DataMember(Name = "categories")] public List<Code> Categories { get; set; }
        [DataMember(Name = "rows")] public List<Row> Rows { get; set; }
    }

    [DataContract]
    public sealed class Row
    {
        [DataMember(Name = "code")] public string Code { get; set; }
        [DataMember(Name = "label")] public LocalText Label { get; set; }
        [DataMember(Name = "cells")] public List<Cell> Cells { get; set; }
    }

    /// <summary>One number of a table; a suppressed count is null.</summary>
    [DataContract]
    public sealed class Cell
    {
        [DataMember(Name = "count")] public long? Count { get; set; }
        [DataMember(Name = "base")] public long? Base { get; set; }
        [DataMember(Name = "share")] public double? Share { get; set; }
        [DataMember(Name = "interval")] public double[] Interval { get; set; }
        [DataMember(Name = "suppressed")] public bool Suppressed { get; set; }
        /// <summary>Whole weeks, only in a quartile of the time to first intervention.</summary>
        [DataMember(Name = "weeks")] public int? Weeks { get; set; }
    }

    /// <summary>bistand_store_put's answer: stored (with its record id) or not, and the
    /// validation report either way.</summary>
    [DataContract]
    public sealed class PutResult
    {
        [DataMember(Name = "stored")] public bool Stored { get; set; }
        [DataMember(Name = "record_id")] public string RecordId { get; set; }
        [DataMember(Name = "report")] public ValidationReport Report { get; set; }
    }
}
