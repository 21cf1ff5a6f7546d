#!/usr/bin/env bash
# SUE report over one million in-memory records: bistand (single-threaded) against polars (with
# its default thread pool, and pinned to one thread), in one run. Installs polars with pip when
# missing. Results go to BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import polars" 2>/dev/null || python3 -m pip install -q "polars==2.1.0"
cargo bench -p bistand-core --bench report
python3 core/benches/report_polars.py
POLARS_MAX_THREADS=1 python3 core/benches/report_polars.py
