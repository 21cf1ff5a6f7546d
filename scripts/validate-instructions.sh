#!/usr/bin/env bash
# Instructions per validated document for each arm of the validation bench, and for serde_json
# parsing the same bytes into a `serde_json::Value`, counted with cachegrind (which, unlike
# times, does not move with the load of a shared machine): a run of 10 passes less a run of 0
# (which only makes the documents), divided by the 2,560 documents validated.
# Needs valgrind. Usage: scripts/validate-instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo bench -p bistand-core --bench validate_passes --no-run --message-format=json 2>/dev/null \
  | grep -o '"executable":"[^"]*validate_passes[^"]*"' | tail -1 | cut -d'"' -f4)
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$@" 2>&1 \
    | awk '/I *refs/ { gsub(",", "", $4); print $4 }'
}
for arm in "v1" "v1 sorted" "v2" "v2 sorted" "v2-migrated" "v2-migrated sorted" \
  "v1 serde_json" "v2 serde_json"; do
  # shellcheck disable=SC2086 # the arm is several words on purpose
  zero=$(count 0 $arm)
  # shellcheck disable=SC2086
  ten=$(count 10 $arm)
  echo "$arm: $(( (ten - zero) / 2560 )) instructions per document"
done
