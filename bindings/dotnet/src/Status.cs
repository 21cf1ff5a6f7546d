// The numbers of include/bistand.h: bistand_status and bistand_language. A test
// (ffi/tests/integration/header.rs) checks they are the header's, number for number.
using System;

namespace Bistand
{
    /// <summary>What a bistand call returned: permanent numbers, grouped in bands (1xx: the
    /// calling program broke the convention; 2xx: the input cannot be processed; 9xx: a bug in
    /// bistand). See include/bistand.h.</summary>
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

    /// <summary>The language of a message (bistand_language).</summary>
    public enum Language : uint
    {
        Swedish = 0,
        English = 1,
    }

    /// <summary>A failed bistand call: its status and bistand's precise message in Swedish (for
    /// caseworkers) and English (for developers and logs; also <see cref="Exception.Message"/>).
    /// Messages never repeat answers, names or identifiers from the input.</summary>
    public sealed class BistandException : Exception
    {
        public BistandException(Status status, string messageSv, string messageEn)
            : base(messageEn + " (" + status + ", " + (uint)status + ")")
        {
            Status = status;
            MessageSv = messageSv;
            MessageEn = messageEn;
        }

        /// <summary>The status the C function returned.</summary>
        public Status Status { get; private set; }

        /// <summary>The message in Swedish.</summary>
        public string MessageSv { get; private set; }

        /// <summary>The message in English.</summary>
        public string MessageEn { get; private set; }
    }
}
