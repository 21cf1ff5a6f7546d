#!/usr/bin/env bash
# The sidecar benchmark with all three servers: bistand serve, a bare hyper + rustls echo, and
# FastAPI + jsonschema (installed with pip when missing). Loopback only. Results go to
# BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import fastapi, uvicorn, jsonschema" 2>/dev/null ||
  python3 -m pip install -q "fastapi==0.115.12" "uvicorn==0.34.2" "jsonschema==4.26.0"
cargo bench -p bistand-sidecar --bench serve
