// Validates FIA documents with libbistand from C# (P/Invoke), through an idiomatic wrapper:
// SafeHandle subclasses own the native handles, Engine is IDisposable, failures are exceptions
// that carry bistand's status code and precise message.
//
//   mcs -out:Validate.exe examples/csharp/Validate.cs
//   LD_LIBRARY_PATH=/path/to/dir/with/libbistand.so mono Validate.exe [--lang sv|en] FILE...
//
// On Windows (.NET), bistand.dll must be next to the program or on PATH; DllImport("bistand")
// finds libbistand.so on Linux and bistand.dll on Windows. Exit status: 0 all valid, 1 some
// document has error findings, 2 some file is not a document at all.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;

namespace Bistand
{
    /// <summary>bistand_status: permanent numbers (see include/bistand.h).</summary>
    public enum Status : uint
    {
        Ok = 0,
        NullPointer = 100,
        InvalidUtf8Argument = 101,
        BufferTooSmall = 102,
        InvalidArgument = 103,
        InvalidUtf8 = 200,
        MalformedJson = 201,
        TooLarge = 202,
        TooDeep = 203,
        InvalidDocument = 204,
        UnknownInstrument = 205,
        UnknownVersion = 206,
        InstrumentMismatch = 207,
        InvalidDefinition = 208,
        InvalidProfile = 209,
        InvalidIdentifier = 210,
        DocumentNotValid = 211,
        OutOfRange = 212,
        UnknownKey = 213,
        IntegrityFailure = 214,
        NotFound = 215,
        StoreError = 216,
        WrongKeys = 217,
        InputError = 299,
        Panic = 900,
        InternalError = 901,
    }

    /// <summary>bistand_language.</summary>
    public enum Language : uint
    {
        Swedish = 0,
        English = 1,
    }

    /// <summary>A failed bistand call: its status and the precise message.</summary>
    public sealed class BistandException : Exception
    {
        public BistandException(Status status, string message) : base(message)
        {
            Status = status;
        }

        public Status Status { get; private set; }
    }

    /// <summary>Owns a bistand_engine*; released with bistand_engine_free.</summary>
    public sealed class EngineHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public EngineHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            Native.bistand_engine_free(handle);
            return true;
        }
    }

    /// <summary>Owns a bistand_buf*; released with bistand_buf_free.</summary>
    public sealed class BufHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public BufHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            Native.bistand_buf_free(handle);
            return true;
        }

        /// <summary>The buffer's bytes as UTF-8 text.</summary>
        public string Text()
        {
            var data = Native.bistand_buf_data(this);
            var bytes = new byte[checked((int)(ulong)Native.bistand_buf_len(this))];
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return Encoding.UTF8.GetString(bytes);
        }
    }

    /// <summary>The C functions, exactly as include/bistand.h declares them.</summary>
    internal static class Native
    {
        private const string Lib = "bistand";

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr bistand_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_engine_new(byte[] profile, UIntPtr profileLen, out EngineHandle engine);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void bistand_engine_free(IntPtr engine);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_validate(
            EngineHandle engine, byte[] instrument, byte[] doc, UIntPtr docLen, out BufHandle report);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_summary(
            EngineHandle engine, byte[] instrument, byte[] doc, UIntPtr docLen, byte[] today, out BufHandle summary);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr bistand_buf_data(BufHandle buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr bistand_buf_len(BufHandle buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void bistand_buf_free(IntPtr buf);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern Status bistand_last_error(
            Language language, byte[] output, UIntPtr outputLen, out UIntPtr written);
    }

    /// <summary>
    /// Loaded definitions and an optional organisation profile. Create one and share it: every
    /// method may be called from many threads at once. Dispose it when done.
    /// </summary>
    public sealed class Engine : IDisposable
    {
        private readonly EngineHandle handle;

        public Engine(byte[] profile = null)
        {
            var length = profile == null ? 0 : profile.Length;
            var status = Native.bistand_engine_new(profile, (UIntPtr)length, out handle);
            Check(status, Language.English);
        }

        public static string Version
        {
            get { return Marshal.PtrToStringAnsi(Native.bistand_version()); }
        }

        /// <summary>The validation report (JSON) of a document. Invalid documents are not
        /// exceptions: the report lists their findings.</summary>
        public string Validate(byte[] document, string instrument = null, Language language = Language.English)
        {
            BufHandle report;
            var status = Native.bistand_validate(
                handle, CString(instrument), document, (UIntPtr)document.Length, out report);
            Check(status, language);
            using (report)
            {
                return report.Text();
            }
        }

        /// <summary>The derived summary (JSON) of a valid document; today is "YYYY-MM-DD".</summary>
        public string Summary(byte[] document, string today, Language language = Language.English)
        {
            BufHandle summary;
            var status = Native.bistand_summary(
                handle, null, document, (UIntPtr)document.Length, CString(today), out summary);
            Check(status, language);
            using (summary)
            {
                return summary.Text();
            }
        }

        public void Dispose()
        {
            handle.Dispose();
        }

        private static byte[] CString(string text)
        {
            return text == null ? null : Encoding.UTF8.GetBytes(text + "\0");
        }

        /// <summary>Throws for a failure, with this thread's last error (read right away, on the
        /// thread that failed).</summary>
        private static void Check(Status status, Language language)
        {
            if (status == Status.Ok)
            {
                return;
            }
            UIntPtr needed;
            Native.bistand_last_error(language, null, UIntPtr.Zero, out needed);
            var buffer = new byte[(int)(ulong)needed + 1];
            UIntPtr written;
            Native.bistand_last_error(language, buffer, (UIntPtr)buffer.Length, out written);
            throw new BistandException(status, Encoding.UTF8.GetString(buffer, 0, (int)(ulong)written));
        }
    }

    public static class Program
    {
        public static int Main(string[] args)
        {
            var language = Language.Swedish;
            var first = 0;
            if (args.Length >= 2 && args[0] == "--lang")
            {
                language = args[1] == "en" ? Language.English : Language.Swedish;
                first = 2;
            }
            if (first >= args.Length)
            {
                Console.Error.WriteLine("usage: Validate.exe [--lang sv|en] FILE...");
                return 2;
            }
            Console.Error.WriteLine("libbistand " + Engine.Version);

            var exitCode = 0;
            var files = new string[args.Length - first];
            Array.Copy(args, first, files, 0, files.Length);
            var reports = new string[files.Length];
            using (var engine = new Engine())
            {
                for (var i = 0; i < files.Length; i++)
                {
                    try
                    {
                        reports[i] = engine.Validate(File.ReadAllBytes(files[i]), null, language);
                    }
                    catch (BistandException e)
                    {
                        Console.Error.WriteLine("{0}: {1} ({2}, {3})", files[i], e.Message, e.Status, (uint)e.Status);
                        exitCode = 2;
                        continue;
                    }
                    var valid = reports[i].Contains("\"valid\":true");
                    Console.WriteLine("{0}: {1}", files[i], valid ? "valid" : "not valid");
                    Console.WriteLine(reports[i]);
                    if (!valid && exitCode == 0)
                    {
                        exitCode = 1;
                    }
                }

                // One engine, many threads: every thread gets the same reports.
                var mismatches = 0;
                Parallel.For(0, 4 * files.Length, k =>
                {
                    var i = k % files.Length;
                    if (reports[i] == null)
                    {
                        return;
                    }
                    if (engine.Validate(File.ReadAllBytes(files[i]), null, language) != reports[i])
                    {
                        System.Threading.Interlocked.Increment(ref mismatches);
                    }
                });
                if (mismatches != 0)
                {
                    Console.Error.WriteLine("{0} reports differed between threads", mismatches);
                    return 3;
                }
            }
            return exitCode;
        }
    }
}
