#!/usr/bin/env bash
# Side-by-side mining benchmark (release build): Basketry FPGrowth vs pyfim vs mlxtend.
# Usage: Scripts/bench/mining.sh            (env: RUNS=3, SKIP_MLXTEND=1, THREADS=N, BASKETRY_SHARED_DATA=dir)
# Needs: pip install pyfim==6.28 mlxtend==0.25.0 pandas. See Benchmarks/mining/README.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bench="$root/Benchmarks/mining"
data="${BASKETRY_SHARED_DATA:-$root/../shared/data}"
# SwiftPM can miss source files added to the root package when it is a path dependency: re-plan.
rm -f "$bench/.build/release.yaml" "$bench"/.build/*/release/description.json
swift build -c release --package-path "$bench" >&2
bin="$(swift build -c release --package-path "$bench" --show-bin-path)/mining-bench"
extra=()
[[ -n "${SKIP_MLXTEND:-}" ]] && extra+=(--skip-mlxtend)
[[ -n "${THREADS:-}" ]] && extra+=(--threads "$THREADS")
exec python3 "$bench/run.py" --bin "$bin" --data "$data" --runs "${RUNS:-3}" "${extra[@]}"
