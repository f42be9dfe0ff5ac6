#!/usr/bin/env bash
# Durability (acceptance script, not a test): kill -9 the server while clients ingest, restart it,
# and check that every acknowledged event is stored. Runs against SQLite, and against PostgreSQL
# when BASKETRY_TEST_POSTGRES_URL is set (source Scripts/ci/start-postgres.sh).
#
# Verification uses idempotency: after the restart every acknowledged event is posted again; the
# server must answer that all of them are duplicates (already stored) and store none anew.
#
#   Scripts/durability/kill9.sh            # CLIENTS=4 SECONDS_BEFORE_KILL=5 ROUNDS=3
set -euo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
need_binary

CLIENTS="${CLIENTS:-4}"
SECONDS_BEFORE_KILL="${SECONDS_BEFORE_KILL:-5}"
ROUNDS="${ROUNDS:-3}"
BATCH="${BATCH:-25}"
PORT="${PORT:-18082}"
WORK="$(mktemp -d)"
trap 'stop_server; kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

# client N ROUND: posts batches until the server dies; appends acknowledged ids to acked-N-ROUND.
client() {
  local n="$1" round="$2" i=0 body ids
  while true; do
    ids=()
    body="["
    for j in $(seq 1 "$BATCH"); do
      local id="k9-$round-$n-$i-$j"
      ids+=("$id")
      [ "$j" -gt 1 ] && body+=","
      body+="{\"event_id\":\"$id\",\"user\":\"u$((i % 97))\",\"item\":\"sku$(((i + j) % 50))\",\"type\":\"purchase\",\"session\":\"c$n-$i\",\"price\":2}"
    done
    body+="]"
    if curl -sf -o /dev/null --max-time 5 -X POST -H "Authorization: Bearer $ADMIN_KEY" \
      -H 'Content-Type: application/json' --data-binary "$body" "http://127.0.0.1:$PORT/v1/events"; then
      printf '%s\n' "${ids[@]}" >>"$WORK/acked-$n-$round"
    else
      kill -0 "$SERVER_PID" 2>/dev/null || return 0
    fi
    i=$((i + 1))
  done
}

check_store() {
  local label="$1" store="$2" total_acked=0 lost=0
  echo "== $label"
  for round in $(seq 1 "$ROUNDS"); do
    start_server "$store" "$PORT" "$WORK/server-$label-$round.log"
    for n in $(seq 1 "$CLIENTS"); do client "$n" "$round" & done
    sleep "$SECONDS_BEFORE_KILL"
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    wait $(jobs -p | grep -v "^$SERVER_PID$") 2>/dev/null || true
    SERVER_PID=
    echo "  round $round: killed -9 after ${SECONDS_BEFORE_KILL}s; acknowledged so far: $(cat "$WORK"/acked-*-"$round" 2>/dev/null | wc -l)"
  done
  start_server "$store" "$PORT" "$WORK/server-$label-check.log"
  cat "$WORK"/acked-* >"$WORK/all-acked"
  total_acked=$(wc -l <"$WORK/all-acked")
  # Re-post every acknowledged event (batches of 500): all must be duplicates.
  local accepted=0 duplicates=0
  split -l 500 "$WORK/all-acked" "$WORK/chunk-"
  for chunk in "$WORK"/chunk-*; do
    body="[$(awk '{printf "%s{\"event_id\":\"%s\",\"user\":\"check\",\"item\":\"x\",\"type\":\"view\"}", (NR > 1 ? "," : ""), $1}' "$chunk")]"
    answer=$(api POST /v1/events "$body")
    accepted=$((accepted + $(echo "$answer" | json_field accepted)))
    duplicates=$((duplicates + $(echo "$answer" | json_field duplicates)))
  done
  rm -f "$WORK"/chunk-* "$WORK"/acked-*
  stop_server
  lost=$accepted
  echo "  acknowledged: $total_acked   found stored: $duplicates   lost: $lost"
  if [ "$lost" -ne 0 ] || [ "$duplicates" -ne "$total_acked" ]; then
    echo "  FAIL: acknowledged events were lost" >&2
    return 1
  fi
  echo "  OK: no acknowledged event lost"
}

status=0
check_store sqlite "$WORK/kill9.sqlite" || status=1
if [ -n "${BASKETRY_TEST_POSTGRES_URL:-}" ]; then
  check_store postgres "$BASKETRY_TEST_POSTGRES_URL" || status=1
else
  echo "== postgres: skipped (set BASKETRY_TEST_POSTGRES_URL; source Scripts/ci/start-postgres.sh)"
fi
exit $status
