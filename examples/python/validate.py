#!/usr/bin/env python3
"""Validates FIA documents with libbistand through ctypes and prints their findings.

    python3 examples/python/validate.py [--lang sv|en] FILE...

The library is found through $BISTAND_LIB (a path to libbistand.so / bistand.dll), else by the
system's usual search (ctypes.util.find_library("bistand"), e.g. after ffi/install.sh into a
prefix on LD_LIBRARY_PATH). Exit status: 0 all valid, 1 some document has error findings,
2 some file is not a document at all.
"""

import ctypes
import ctypes.util
import json
import os
import sys

BISTAND_OK = 0
BISTAND_LANGUAGE_SV = 0
BISTAND_LANGUAGE_EN = 1


class BistandError(Exception):
    """A bistand call failed: the status code and the precise message."""

    def __init__(self, status, message):
        super().__init__(f"{message} (status {status})")
        self.status = status
        self.message = message


class _Engine(ctypes.Structure):
    """Opaque: only pointers to it are used."""


class _Buf(ctypes.Structure):
    """Opaque: only pointers to it are used."""


def load(path=None):
    """Loads libbistand and declares the signatures used here (ctypes must be told them)."""
    path = path or os.environ.get("BISTAND_LIB") or ctypes.util.find_library("bistand")
    if not path:
        raise OSError("libbistand not found: set BISTAND_LIB to the library's path")
    lib = ctypes.CDLL(path)
    u8p = ctypes.POINTER(ctypes.c_uint8)
    engine_p = ctypes.POINTER(_Engine)
    buf_p = ctypes.POINTER(_Buf)
    sigs = {
        "bistand_version": (ctypes.c_char_p, []),
        "bistand_engine_new": (ctypes.c_uint32, [u8p, ctypes.c_size_t, ctypes.POINTER(engine_p)]),
        "bistand_engine_free": (None, [engine_p]),
        "bistand_validate": (
            ctypes.c_uint32,
            [engine_p, ctypes.c_char_p, u8p, ctypes.c_size_t, ctypes.POINTER(buf_p)],
        ),
        "bistand_buf_data": (u8p, [buf_p]),
        "bistand_buf_len": (ctypes.c_size_t, [buf_p]),
        "bistand_buf_free": (None, [buf_p]),
        "bistand_last_error": (
            ctypes.c_uint32,
            [ctypes.c_uint32, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)],
        ),
    }
    for name, (restype, argtypes) in sigs.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


class Engine:
    """One engine for the program; safe to share between threads. Use as a context manager."""

    def __init__(self, lib, profile=b""):
        self._lib = lib
        self._engine = ctypes.POINTER(_Engine)()
        data = (ctypes.c_uint8 * len(profile)).from_buffer_copy(profile) if profile else None
        status = lib.bistand_engine_new(data, len(profile), ctypes.byref(self._engine))
        if status != BISTAND_OK:
            raise BistandError(status, self.last_error())

    def close(self):
        if self._engine:
            self._lib.bistand_engine_free(self._engine)
            self._engine = ctypes.POINTER(_Engine)()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def last_error(self, language=BISTAND_LANGUAGE_EN):
        """The message of the last failure on this thread (call right after the failure)."""
        needed = ctypes.c_size_t()
        self._lib.bistand_last_error(language, None, 0, ctypes.byref(needed))
        out = ctypes.create_string_buffer(needed.value + 1)
        written = ctypes.c_size_t()
        self._lib.bistand_last_error(language, out, len(out), ctypes.byref(written))
        return out.value.decode("utf-8")

    def validate(self, document, instrument=None, language=BISTAND_LANGUAGE_EN):
        """The report (a dict) for a document (bytes); BistandError if it is not a document."""
        data = (ctypes.c_uint8 * len(document)).from_buffer_copy(document) if document else None
        report = ctypes.POINTER(_Buf)()
        name = instrument.encode("utf-8") if instrument else None
        status = self._lib.bistand_validate(self._engine, name, data, len(document), ctypes.byref(report))
        if status != BISTAND_OK:
            raise BistandError(status, self.last_error(language))
        try:
            raw = ctypes.string_at(self._lib.bistand_buf_data(report), self._lib.bistand_buf_len(report))
        finally:
            self._lib.bistand_buf_free(report)
        return json.loads(raw)


def main(argv):
    lang = "sv"
    if len(argv) >= 2 and argv[0] == "--lang":
        lang, argv = argv[1], argv[2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    language = BISTAND_LANGUAGE_EN if lang == "en" else BISTAND_LANGUAGE_SV
    lib = load()
    print(f"libbistand {lib.bistand_version().decode()}", file=sys.stderr)
    exit_code = 0
    with Engine(lib) as engine:
        for path in argv:
            with open(path, "rb") as f:
                document = f.read()
            try:
                report = engine.validate(document, language=language)
            except BistandError as error:
                print(f"{path}: {error}", file=sys.stderr)
                exit_code = 2
                continue
            verdict = "valid" if report["valid"] else "not valid"
            print(f"{path}: {verdict} ({report['errors']} errors, {report['warnings']} warnings)")
            for finding in report["findings"]:
                print(f"  {finding['severity']:7} {finding['code']:20} {finding['path']}: {finding['message'][lang]}")
            if not report["valid"] and exit_code == 0:
                exit_code = 1
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
