// The conformance suite's runner for .NET (see tests/conformance/README.md): every golden case
// through this binding, compared byte for byte with the expected answer. Vendors run it against
// their deployment of the binding and the native library to certify it.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Serialization;

namespace Bistand
{
    /// <summary>How one case went: passed, or failed and how.</summary>
    public sealed class CaseResult
    {
        public CaseResult(string name, bool passed, string detail)
        {
            Name = name;
            Passed = passed;
            Detail = detail;
        }

        public string Name { get; private set; }
        public bool Passed { get; private set; }
        public string Detail { get; private set; }
    }

    public static class Conformance
    {
        /// <summary>Runs every case in casesDir (one folder per case, each with a case.json).</summary>
        public static List<CaseResult> Run(string casesDir)
        {
            var folders = Directory.GetDirectories(casesDir)
                .Where(d => File.Exists(Path.Combine(d, "case.json")))
                .OrderBy(d => d, StringComparer.Ordinal)
                .ToList();
            if (folders.Count == 0)
            {
                throw new ArgumentException(casesDir + " has no cases");
            }
            return folders.Select(RunCase).ToList();
        }

        private static CaseResult RunCase(string folder)
        {
            var name = Path.GetFileName(folder);
            var spec = Json.Parse<CaseFile>(File.ReadAllBytes(Path.Combine(folder, "case.json")));
            Func<string, byte[]> read = file => file == null ? null : File.ReadAllBytes(Path.Combine(folder, file));
            byte[] actual;
            try
            {
                actual = Answer(spec, read);
            }
            catch (BistandException e)
            {
                var kind = Kind(e.Status);
                if (spec.ExpectedError != null)
                {
                    return kind == spec.ExpectedError
                        ? new CaseResult(name, true, "")
                        : new CaseResult(name, false, "refused with " + kind + ", not " + spec.ExpectedError);
                }
                return new CaseResult(name, false, "the call failed: " + e.Message);
            }
            if (spec.ExpectedError != null)
            {
                return new CaseResult(name, false, "answered, where it must refuse with " + spec.ExpectedError);
            }
            var expected = read(spec.Expected);
            if (actual.SequenceEqual(expected))
            {
                return new CaseResult(name, true, "");
            }
            var at = 0;
            while (at < actual.Length && at < expected.Length && actual[at] == expected[at])
            {
                at++;
            }
            return new CaseResult(name, false, "differs from byte " + at + " (" + expected.Length + " bytes expected, " + actual.Length + " given)");
        }

        /// <summary>The error kind of a status, as the cases name it: MalformedJson is
        /// malformed_json.</summary>
        public static string Kind(Status status)
        {
            var name = status.ToString();
            var kind = new System.Text.StringBuilder();
            for (var i = 0; i < name.Length; i++)
            {
                if (char.IsUpper(name[i]) && i > 0)
                {
                    kind.Append('_');
                }
                kind.Append(char.ToLowerInvariant(name[i]));
            }
            return kind.ToString();
        }

        private static byte[] Answer(CaseFile spec, Func<string, byte[]> read)
        {
            switch (spec.Operation)
            {
                case "validate":
                    using (var engine = new Engine(read(spec.Profile)))
                    {
                        return engine.ValidateJson(read(spec.Document), spec.Instrument);
                    }
                case "summary":
                    using (var engine = new Engine())
                    {
                        return engine.SummaryJson(read(spec.Document), spec.Today, spec.Instrument);
                    }
                case "pseudonymise":
                    var key = Enumerable.Range(0, spec.KeyHex.Length / 2)
                        .Select(i => Convert.ToByte(spec.KeyHex.Substring(2 * i, 2), 16))
                        .ToArray();
                    return Library.Utf8.GetBytes(Library.Pseudonymise(spec.KeyId, key, spec.Personnummer, spec.ReferenceDate));
                case "report":
                    using (var engine = new Engine())
                    {
                        return engine.ReportBytes(spec.Instrument, read(spec.Ndjson), read(spec.Keys), read(spec.Options));
                    }
                default:
                    throw new ArgumentException("unknown operation " + spec.Operation);
            }
        }

        [DataContract]
        private sealed class CaseFile
        {
            [DataMember(Name = "description")] public string Description { get; set; }
            [DataMember(Name = "operation")] public string Operation { get; set; }
            [DataMember(Name = "expected")] public string Expected { get; set; }
            [DataMember(Name = "expected_error")] public string ExpectedError { get; set; }
            [DataMember(Name = "instrument")] public string Instrument { get; set; }
            [DataMember(Name = "document")] public string Document { get; set; }
            [DataMember(Name = "profile")] public string Profile { get; set; }
            [DataMember(Name = "today")] public string Today { get; set; }
            [DataMember(Name = "ndjson")] public string Ndjson { get; set; }
            [DataMember(Name = "keys")] public string Keys { get; set; }
            [DataMember(Name = "options")] public string Options { get; set; }
            [DataMember(Name = "key_id")] public string KeyId { get; set; }
            [DataMember(Name = "key_hex")] public string KeyHex { get; set; }
            [DataMember(Name = "personnummer")] public string Personnummer { get; set; }
            [DataMember(Name = "reference_date")] public string ReferenceDate { get; set; }
        }
    }
}
