#!/usr/bin/env bash
# SUE report over one million in-memory records: bistand (single-threaded) against polars (with
# its default thread pool, and pinned to one thread), in one run. The polars arm is what a polars
# user who knows the shape writes (one lazy group_by over the strata, then sums per breakdown).
# bistand runs two arms: like for like (only the tables the polars arm computes, selected with
# ReportOptions::tables, perturbed and protected), which the floor is judged on, and the full
# report (every table) with its time per part (aggregation pass, marginals, tables, disclosure,
# cells, derived shares) and per table family built alone.
# Installs polars with pip when missing. Fails unless both sides' control totals agree: bistand's
# report is perturbed (cell-key method, every published count within D = 2 of the true one), so
# each of its totals must be within 2 of polars' exact one. (The bench itself fails unless the
# like-for-like totals equal the full report's, and each family alone equals its full tables.)
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
like="$(grep -o 'like for like.*median [0-9.]* s' "$out/bistand" | grep -o 'median [0-9.]*' | cut -d' ' -f2)"
for arm in polars2 polars1; do
  theirs="$(grep -o 'median [0-9.]* s' "$out/$arm" | cut -d' ' -f2)"
  python3 -c "import sys; b, p = map(float, sys.argv[1:]); print(f'like for like: bistand {b:.3f} s, $arm {p:.3f} s: {p / b:.2f}x')" "$like" "$theirs"
done
