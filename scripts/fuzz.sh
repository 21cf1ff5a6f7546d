#!/usr/bin/env bash
# Runs every fuzz target of fuzz/ for SECONDS each (libFuzzer -max_total_time) and fails on the
# first crash, leak or timeout. Seeds come from tests/data/fia (and fuzz/seeds); the growing
# corpus is kept in fuzz/corpus/<target> and crashes in fuzz/artifacts/<target> (both ignored
# by git).
#
# Usage: scripts/fuzz.sh SECONDS [TARGET...]
# Needs cargo-fuzz (cargo install cargo-fuzz --locked). cargo-fuzz needs nightly flags; on a
# stable toolchain RUSTC_BOOTSTRAP=1 allows them, which this script sets.
set -euo pipefail

if [ "$#" -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
seconds="$1"
shift
cd "$(dirname "$0")/../fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 1
fi
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi

fia=../tests/data/fia
for target in "${targets[@]}"; do
  case "$target" in
    pseudonymise) seeds=(seeds/pseudonymise) ;;
    profile) seeds=("$fia/invalid" "$fia/valid") ;;
    *) seeds=("$fia/valid" "$fia/invalid" "$fia/malformed") ;;
  esac
  mkdir -p "corpus/$target"
  echo "==> fuzz $target for ${seconds}s"
  # The first corpus directory receives new inputs; the seed directories are only read.
  cargo fuzz run "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -dict=dict/fia.dict -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1
done
echo "fuzz.sh: no crash in ${#targets[@]} targets x ${seconds}s"
