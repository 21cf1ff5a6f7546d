// What needs no engine (version, status messages, pseudonyms) and the one way every wrapper
// turns a call's status into a result or an exception.
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Bistand
{
    public static class Library
    {
        /// <summary>UTF-8 that refuses what it cannot encode (a lone surrogate) instead of
        /// silently writing '?'.</summary>
        internal static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);

        /// <summary>The library version, e.g. "0.1.0" (bistand_version).</summary>
        public static string Version
        {
            get { return CStringAt(Native.bistand_version()); }
        }

        /// <summary>A one-line English description of a status (bistand_status_message). Throws
        /// with InvalidArgument for a number that is no status.</summary>
        public static string StatusMessage(Status status)
        {
            // bistand_status_message never sets the last error: the messages are the binding's.
            UIntPtr needed;
            var result = Native.bistand_status_message(status, null, UIntPtr.Zero, out needed);
            if (result != Status.Ok)
            {
                throw new BistandException(result, "okänd statuskod " + (uint)status, "unknown status code " + (uint)status);
            }
            var buffer = new byte[(int)(ulong)needed + 1];
            UIntPtr written;
            result = Native.bistand_status_message(status, buffer, (UIntPtr)buffer.Length, out written);
            if (result != Status.Ok)
            {
                throw new BistandException(result, "okänd statuskod " + (uint)status, "unknown status code " + (uint)status);
            }
            return Utf8.GetString(buffer, 0, (int)(ulong)written);
        }

        /// <summary>The last failure's message on this thread in a language (bistand_last_error);
        /// empty after a successful call.</summary>
        public static string LastError(Language language)
        {
            UIntPtr needed;
            var status = Native.bistand_last_error(language, null, UIntPtr.Zero, out needed);
            if (status != Status.Ok)
            {
                throw new BistandException(status, "", "bistand_last_error failed");
            }
            var buffer = new byte[(int)(ulong)needed + 1];
            UIntPtr written;
            status = Native.bistand_last_error(language, buffer, (UIntPtr)buffer.Length, out written);
            if (status != Status.Ok)
            {
                throw new BistandException(status, "", "bistand_last_error failed");
            }
            return Utf8.GetString(buffer, 0, (int)(ulong)written);
        }

        /// <summary>The keyed pseudonym "&lt;key_id&gt;:&lt;64 hex&gt;" of a personnummer or
        /// samordningsnummer (bistand_pseudonymise). referenceDate is today, "YYYY-MM-DD".</summary>
        public static string Pseudonymise(string keyId, byte[] key, string personnummer, string referenceDate)
        {
            return Pseudonymise(keyId, key, Bytes(personnummer), referenceDate);
        }

        /// <summary>As above, with the number as the bytes of its text.</summary>
        public static string Pseudonymise(string keyId, byte[] key, byte[] personnummer, string referenceDate)
        {
            BufHandle pseudonym;
            Check(Native.bistand_pseudonymise(
                CString(keyId), key, Len(key), personnummer, Len(personnummer), CString(referenceDate),
                out pseudonym));
            return Text(pseudonym);
        }

        internal static byte[] CString(string text)
        {
            return text == null ? null : Utf8.GetBytes(text + "\0");
        }

        internal static byte[] Bytes(string text)
        {
            return text == null ? null : Utf8.GetBytes(text);
        }

        internal static UIntPtr Len(byte[] bytes)
        {
            return (UIntPtr)(bytes == null ? 0 : bytes.Length);
        }

        /// <summary>Throws for a failure, with this thread's last error in both languages, read
        /// right away on the thread that failed.</summary>
        internal static void Check(Status status)
        {
            if (status != Status.Ok)
            {
                throw new BistandException(status, LastError(Language.Swedish), LastError(Language.English));
            }
        }

        /// <summary>The bytes of a returned buffer; the buffer is released.</summary>
        internal static byte[] Take(BufHandle buffer)
        {
            using (buffer)
            {
                return buffer.Bytes();
            }
        }

        internal static string Text(BufHandle buffer)
        {
            return Utf8.GetString(Take(buffer));
        }

        private static string CStringAt(IntPtr pointer)
        {
            var length = 0;
            while (Marshal.ReadByte(pointer, length) != 0)
            {
                length++;
            }
            var bytes = new byte[length];
            Marshal.Copy(pointer, bytes, 0, length);
            return Utf8.GetString(bytes);
        }
    }
}
