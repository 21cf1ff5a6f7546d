#!/usr/bin/env bash
# Installs libbistand for C callers under PREFIX:
#   PREFIX/lib/libbistand.so.X.Y.Z   the shared library (soname libbistand.so.0)
#   PREFIX/lib/libbistand.so.0       -> libbistand.so.X.Y.Z  (what programs load)
#   PREFIX/lib/libbistand.so         -> libbistand.so.0      (what -lbistand links)
#   PREFIX/lib/libbistand.a          the static library
#   PREFIX/include/bistand.h
#   PREFIX/lib/pkgconfig/bistand.pc  (pkg-config --cflags --libs bistand)
#
# Usage: ffi/install.sh PREFIX
# Builds the release library with cargo first, unless BISTAND_LIB_DIR names a directory that
# already holds libbistand.so and libbistand.a (e.g. target/debug/deps, as the tests do).
# Linux only; for Windows see ffi/README.md.
set -euo pipefail

if [ "$#" -ne 1 ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"

version="$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
major="${version%%.*}"
if [ -z "$version" ]; then
  echo "install.sh: no version in $root/Cargo.toml" >&2
  exit 1
fi

if [ -n "${BISTAND_LIB_DIR:-}" ]; then
  libdir_in="$BISTAND_LIB_DIR"
else
  (cd "$root" && cargo build --release --locked -p bistand-ffi)
  libdir_in="${CARGO_TARGET_DIR:-$root/target}/release"
fi
for file in libbistand.so libbistand.a; do
  if [ ! -f "$libdir_in/$file" ]; then
    echo "install.sh: $libdir_in/$file not found" >&2
    exit 1
  fi
done

lib="$prefix/lib"
mkdir -p "$lib/pkgconfig" "$prefix/include"
install -m 0755 "$libdir_in/libbistand.so" "$lib/libbistand.so.$version"
ln -sfn "libbistand.so.$version" "$lib/libbistand.so.$major"
ln -sfn "libbistand.so.$major" "$lib/libbistand.so"
install -m 0644 "$libdir_in/libbistand.a" "$lib/libbistand.a"
install -m 0644 "$root/include/bistand.h" "$prefix/include/bistand.h"

# Libs.private: what the Rust standard library needs when linking libbistand.a statically
# (`rustc --print native-static-libs` for a staticlib on Linux glibc).
cat > "$lib/pkgconfig/bistand.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: bistand
Description: FIA and SUE instruments of Swedish social assistance: validation, summaries, pseudonyms
Version: $version
Libs: -L\${libdir} -lbistand
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
PC

echo "installed libbistand $version into $prefix"
