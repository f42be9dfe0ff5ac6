#!/usr/bin/env bash
# Alternates implicit and Basketry ALS fits on the Online Retail split (same factors, λ, iterations, confidence,
# 2 threads) so both see the same machine load. Needs out/ from run_implicit.py (which writes the split).
# Usage: Benchmarks/als/compare_fit_time.sh [rounds] [configs] [threads]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
configs=${2:-log5}
threads=${3:-2}
export OPENBLAS_NUM_THREADS=1
swift build -c release --build-tests -Xswiftc -enable-testing >/dev/null
for round in $(seq 1 "$rounds"); do
  echo "== round $round: load $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 Benchmarks/als/run_implicit.py --configs "$configs" --repeats 5 --threads "$threads" --output "implicit_results_t$threads.json" \
    | grep -o '^[a-z0-9]* {"note": "[^"]*", "fit_seconds": \[[^]]*\], "fit_seconds_median": [0-9.]*'
  BASKETRY_SLOW_TESTS=1 BASKETRY_BENCH_REPEATS=5 BASKETRY_ALS_CONFIGS="$configs" \
    BASKETRY_ALS_THREADS="$threads" BASKETRY_IMPLICIT_RESULTS="implicit_results_t$threads.json" \
    swift test -c release -Xswiftc -enable-testing --skip-build \
    --filter 'LearnedModelsBenchmarkTests/alsMatchesImplicit' 2>&1 | grep -E '^ALS|^  ' || true
done
