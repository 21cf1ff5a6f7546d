// SafeHandles own the native pointers: released exactly once, also when an exception or the
// finaliser gets there first, and never while a call is using them.
using System;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Bistand
{
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

    /// <summary>Owns a bistand_store*; released with bistand_store_free.</summary>
    public sealed class StoreHandle : SafeHandleZeroOrMinusOneIsInvalid
    {
        public StoreHandle() : base(true) { }

        protected override bool ReleaseHandle()
        {
            Native.bistand_store_free(handle);
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

        /// <summary>A copy of the buffer's bytes.</summary>
        public byte[] Bytes()
        {
            var data = Native.bistand_buf_data(this);
            var bytes = new byte[checked((int)(ulong)Native.bistand_buf_len(this))];
            if (bytes.Length > 0)
            {
                Marshal.Copy(data, bytes, 0, bytes.Length);
            }
            return bytes;
        }
    }
}
