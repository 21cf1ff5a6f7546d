#!/usr/bin/env bash
# SUE report over one million in-memory records: bistand (single-threaded) against polars (with
# its default thread pool, and pinned to one thread), in one run. The polars arm is what a polars
# user who knows the shape writes (one lazy group_by over the strata, then sums per breakdown).
# Installs polars with pip when missing. Fails unless both sides' control totals agree: bistand's
# report is perturbed (cell-key method, every published count within D = 2 of the true one), so
# each of its totals must be within 2 of polars' exact one.
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
  python3 - "$rust_check" "$(grep '^check: ' "$out/$arm")" <<'PY' || { echo "control totals differ between bistand and $arm" >&2; exit 1; }
import sys
values = lambda line: dict(pair.split("=") for pair in line.removeprefix("check: ").split())
bistand, polars = values(sys.argv[1]), values(sys.argv[2])
assert bistand.keys() == polars.keys(), (bistand, polars)
far = {k: (bistand[k], polars[k]) for k in bistand if abs(int(bistand[k]) - int(polars[k])) > 2}
assert not far, f"more than D = 2 apart: {far}"
PY
done
echo "control totals agree within the perturbation (D = 2): $rust_check"
