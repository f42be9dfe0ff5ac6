#!/usr/bin/env bash
# Builds and runs Basketry's libFuzzer targets (FuzzTesting/).
#
#   Scripts/fuzz.sh [TARGET|all] [SECONDS]   build, then fuzz each target for SECONDS (default 60); prints
#                                            executions per second and corpus size per target
#   Scripts/fuzz.sh --replay [TARGET...]     build, then run every target once over its committed corpus
#                                            (FuzzTesting/Corpus/TARGET), crash regressions included
#   Scripts/fuzz.sh --replay --library       the same for the targets that do not need the server library: what
#                                            CI runs (the server targets' corpora replay in the unit tests,
#                                            FuzzCorpusReplayTests)
#   Scripts/fuzz.sh --list                   the targets
#
# Fuzzing writes new inputs to FuzzTesting/.build/corpus/TARGET (not committed) and reads the committed seeds
# beside them; a crash, leak or timeout stops the target, saves the input to FuzzTesting/.build/artifacts/ and
# makes the script exit 1. To keep a crash as a regression case, copy its input into FuzzTesting/Corpus/TARGET/.
#
# Environment:
#   FUZZ_CONFIGURATION  release (default) or debug; both build with --sanitize=fuzzer --sanitize=address
#   FUZZ_SCRATCH        the build folder (default FuzzTesting/.build)
#   FUZZ_NICE           the niceness the fuzzers run at (default 10)
#   FUZZ_ARGS           extra libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-max_len=65536"
#   FUZZ_NO_BUILD=1     use the targets already built (e.g. a second run while another build holds the folder)
# A crash's stack trace needs SWIFT_BACKTRACE off (set here), or the Swift runtime's backtracer waits on it.
set -euo pipefail
SCRIPT="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/../FuzzTesting"

# Targets over Basketry's own modules only, and those that need the server library (and so Hummingbird, SwiftNIO,
# PostgresNIO, GRDB and swift-crypto, whose sanitizer build takes far longer).
LIBRARY_TARGETS=(
  FuzzCSVReader FuzzOrderFormats FuzzInstacart FuzzEventsJSONL FuzzSafetensors FuzzTokenizer FuzzModelArtifact
)
SERVER_TARGETS=(FuzzRequestBodies FuzzServerConfiguration)
TARGETS=("${LIBRARY_TARGETS[@]}" "${SERVER_TARGETS[@]}")
CONFIGURATION="${FUZZ_CONFIGURATION:-release}"
SCRATCH="${FUZZ_SCRATCH:-.build}"
NICE="${FUZZ_NICE:-10}"
export SWIFT_BACKTRACE=enable=no
# Leaks inside Swift's own libraries, not Basketry's, are listed there with the reason.
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

usage() { sed -n '2,23p' "$SCRIPT" | sed 's/^# \{0,1\}//'; }

known() {
  local name
  for name in "${TARGETS[@]}"; do [ "$name" = "$1" ] && return 0; done
  echo "error: unknown target '$1' (Scripts/fuzz.sh --list)" >&2
  exit 64
}

# Builds the given targets with libFuzzer and AddressSanitizer.
build() {
  local started=$SECONDS name
  if [ "${FUZZ_NO_BUILD:-}" = 1 ]; then
    for name in "$@"; do
      [ -x "$(binary "$name")" ] || { echo "error: $name is not built (unset FUZZ_NO_BUILD)" >&2; exit 1; }
    done
    return
  fi
  echo "== building ${*} ($CONFIGURATION, fuzzer + address sanitizers)"
  mkdir -p "$SCRATCH"
  if [ $# -eq ${#TARGETS[@]} ]; then
    build_products
  else
    # swift build takes one --product at a time.
    for name in "$@"; do build_products --product "$name"; done
  fi
  echo "== built in $((SECONDS - started)) s"
}

build_products() {
  # swiftc keeps only the last -sanitize= it is given, and SwiftPM passes its two --sanitize flags separately, so
  # Swift code would get coverage or AddressSanitizer, not both: -Xswiftc, given last, asks for both at once.
  # (SwiftPM's own flags still set up C targets and libFuzzer's main.)
  if ! nice -n "$NICE" swift build -c "$CONFIGURATION" --scratch-path "$SCRATCH" \
    --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address "$@" \
    >"$SCRATCH/fuzz-build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$SCRATCH/fuzz-build.log" | tail -n 40 >&2
    echo "error: the fuzz build failed; log: FuzzTesting/$SCRATCH/fuzz-build.log" >&2
    exit 1
  fi
}

binary() { echo "$SCRATCH/$CONFIGURATION/$1"; }

# Runs each target once over its committed corpus.
replay() {
  local failed=0 name count started
  for name in "$@"; do
    count=$(find "Corpus/$name" -type f | wc -l)
    started=$SECONDS
    mkdir -p "$SCRATCH/artifacts"
    if "$(binary "$name")" -runs=0 -artifact_prefix="$SCRATCH/artifacts/$name-" "Corpus/$name" \
      >"$SCRATCH/replay-$name.log" 2>&1; then
      echo "replay $name: $count inputs, no crash ($((SECONDS - started)) s)"
    else
      echo "replay $name: FAILED on its corpus; log: FuzzTesting/$SCRATCH/replay-$name.log" >&2
      tail -n 40 "$SCRATCH/replay-$name.log" >&2
      failed=$((failed + 1))
    fi
  done
  if [ "$failed" -eq 0 ]; then
    echo "replay: every corpus ran without a crash ($# targets)"
  else
    echo "replay: $failed of $# corpora crashed their target" >&2
  fi
  [ "$failed" -eq 0 ]
}

# Fuzzes each target for the given number of seconds.
fuzz() {
  local seconds=$1 failed=0 name log work execs rate corpus bytes
  shift
  mkdir -p "$SCRATCH/artifacts"
  printf '%-26s %10s %9s %8s %10s  %s\n' target executions exec/s corpus "corpus B" result
  for name in "$@"; do
    work="$SCRATCH/corpus/$name"
    log="$SCRATCH/fuzz-$name.log"
    mkdir -p "$work"
    local status=0
    # shellcheck disable=SC2086
    nice -n "$NICE" "$(binary "$name")" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -dict="Dictionaries/$name.dict" -artifact_prefix="$SCRATCH/artifacts/$name-" -print_final_stats=1 \
      ${FUZZ_ARGS:-} "$work" "Corpus/$name" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -n 1 | sed 's/corp: //')
    bytes=${corpus#*/}
    corpus=${corpus%/*}
    if [ "$status" -eq 0 ]; then
      printf '%-26s %10s %9s %8s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "${bytes:-?}" ok
    else
      printf '%-26s %10s %9s %8s %10s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${corpus:-?}" "${bytes:-?}" \
        "FAILED (exit $status): see FuzzTesting/$log"
      grep -E "^(==[0-9]+==ERROR|SUMMARY|Fatal error|.*Fatal error:|artifact_prefix|Test unit written)" "$log" \
        | head -n 8 >&2 || true
      failed=$((failed + 1))
    fi
  done
  [ "$failed" -eq 0 ]
}

case "${1:-all}" in
  -h | --help) usage ;;
  --list) printf '%s\n' "${TARGETS[@]}" ;;
  --replay)
    shift
    selected=("$@")
    if [ "${1:-}" = --library ]; then selected=("${LIBRARY_TARGETS[@]}"); fi
    [ ${#selected[@]} -gt 0 ] || selected=("${TARGETS[@]}")
    for name in "${selected[@]}"; do known "$name"; done
    build "${selected[@]}"
    replay "${selected[@]}"
    ;;
  *)
    target="${1:-all}"
    seconds="${2:-60}"
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "error: SECONDS must be a whole number, got '$seconds'" >&2; exit 64; }
    if [ "$target" = all ]; then selected=("${TARGETS[@]}"); else known "$target"; selected=("$target"); fi
    build "${selected[@]}"
    fuzz "$seconds" "${selected[@]}"
    ;;
esac
