#!/usr/bin/env bash
# SUE report over one million in-memory records: bistand (single-threaded) against polars (with
# its default thread pool, and pinned to one thread), in one run. The polars arm is what a polars
# user who knows the shape writes (one lazy group_by over the strata, then sums per breakdown).
# Installs polars with pip when missing. Fails unless both sides print the same control totals.
# Results go to BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import polars" 2>/dev/null || python3 -m pip install -q "polars==2.1.0"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo bench -p bistand-core --bench report | tee "$out/bistand"
python3 core/benches/report_polars.py | tee "$out/polars2"
POLARS_MAX_THREADS=1 python3 core/benches/report_polars.py | tee "$out/polars1"
rust_check="$(grep '^check: ' "$out/bistand")"
for arm in polars2 polars1; do
  if [ "$(grep '^check: ' "$out/$arm")" != "$rust_check" ]; then
    echo "control totals differ between bistand and $arm" >&2
    exit 1
  fi
done
echo "control totals agree: $rust_check"
