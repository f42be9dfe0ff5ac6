#!/usr/bin/env bash
# Store outage (acceptance script, not a test): the database goes away under load and comes back, and the
# server must keep serving reads, refuse writes with 503 + Retry-After, report not-ready, recover without a
# restart, and lose nothing it acknowledged or served.
#
# Scenarios (each on a fresh database, one server process throughout):
#   postgres   a private PostgreSQL 15 cluster ("basketry_outage", port $OUTAGE_PG_PORT, created on first run,
#              needs root) is stopped (pg_ctlcluster … stop -m fast) for $OUTAGE_SECONDS and started again;
#              the machine's main cluster is never touched.
#   disk-full  the SQLite file lives on a small tmpfs ($FULL_MB MB, needs root) that is filled with a file
#              for $OUTAGE_SECONDS, then the file is removed.
#
# Load: $WRITERS clients post batches of 10 events with unique ids (2xx ⇒ acknowledged), $READERS clients
# fetch recommendations, bundles and neighbours. After recovery the script checks that every acknowledged
# event is stored (re-posting them must yield only duplicates), that every served recommendation and bundle
# list is stored (list ids looked up in the database), and that the stored bandit trials equal the
# bandit-priced offers served.
#
#   Scripts/durability/outage.sh                 # both scenarios
#   SCENARIOS=postgres Scripts/durability/outage.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
need_binary

SCENARIOS="${SCENARIOS:-postgres disk-full}"
WRITERS="${WRITERS:-2}"
READERS="${READERS:-2}"
BEFORE_SECONDS="${BEFORE_SECONDS:-5}"
OUTAGE_SECONDS="${OUTAGE_SECONDS:-10}"
AFTER_SECONDS="${AFTER_SECONDS:-8}"
FULL_MB="${FULL_MB:-64}"
PORT="${PORT:-18093}"
OUTAGE_PG_PORT="${OUTAGE_PG_PORT:-5439}"
PG_VERSION="${BASKETRY_PG_VERSION:-15}"
PG_CLUSTER="basketry_outage"
WORK="$(mktemp -d /tmp/ou-outage.XXXXXX)"
FULL_DIR="$WORK/full"
cleanup() {
  stop_server
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  if mountpoint -q "$FULL_DIR" 2>/dev/null; then umount "$FULL_DIR"; fi
  [ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# phase: "before", "outage" or "after", read from a file the driver writes.
phase() { cat "$WORK/phase"; }

# writer N: posts batches until told to stop; logs "phase status retry-after ids…" per batch.
writer() {
  local n="$1" i=0 body ids code headers
  while [ ! -e "$WORK/stop" ]; do
    ids=""
    body="["
    for j in $(seq 1 10); do
      local id="ou-$n-$i-$j"
      ids+=" $id"
      [ "$j" -gt 1 ] && body+=","
      body+="{\"event_id\":\"$id\",\"user\":\"user$(((i * 10 + j) % 700))\",\"item\":\"sku$(((i + j) % 200))\",\"type\":\"view\",\"session\":\"w$n-$i\"}"
    done
    body+="]"
    local p
    p=$(phase)
    headers=$(curl -s -o /dev/null -D - --max-time 10 -X POST -H "Authorization: Bearer $ADMIN_KEY" \
      -H 'Content-Type: application/json' --data-binary "$body" "http://127.0.0.1:$PORT/v1/events" 2>/dev/null)
    code=$(printf '%s' "$headers" | awk 'NR == 1 {print $2}')
    local retry=no
    printf '%s' "$headers" | grep -qi '^retry-after:' && retry=yes
    echo "$p ${code:-000} $retry$ids" >>"$WORK/writes-$n"
    i=$((i + 1))
  done
}

# reader N: recommendations, bundles and neighbours in turn; logs "phase kind status list-id trials".
reader() {
  local n="$1" i=0 out code path kind
  while [ ! -e "$WORK/stop" ]; do
    case $((i % 3)) in
      0) kind=recs path="/v1/users/user$(((i * 7 + n) % 700))/recommendations?k=3" ;;
      1) kind=bundles path="/v1/bundles?item=sku$(((i * 3 + n) % 200))&k=2&user=user$((i % 700))" ;;
      2) kind=neighbors path="/v1/items/sku$(((i + n) % 200))/neighbors?k=3" ;;
    esac
    local p
    p=$(phase)
    out=$(curl -s -w '\n%{http_code}' --max-time 5 -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$PORT$path")
    code=$(printf '%s' "$out" | tail -1)
    # The list id is a recommendation id without its last eight hex digits.
    local rid list="-" trials=0
    rid=$(printf '%s' "$out" | grep -o '"recommendation_id":"[^"]*"' | head -1 | cut -d'"' -f4)
    [ -n "$rid" ] && list="${rid:0:${#rid}-8}"
    [ "$kind" = bundles ] && trials=$(printf '%s' "$out" | grep -o '"policy":"bandit"' | wc -l)
    echo "$p $kind ${code:-000} $list $trials" >>"$WORK/reads-$n"
    i=$((i + 1))
  done
}

# readiness: samples /health/ready every 0.5 s; logs "ms phase status".
readiness() {
  while [ ! -e "$WORK/stop" ]; do
    echo "$(now_ms) $(phase) $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/health/ready")" \
      >>"$WORK/ready"
    sleep 0.5
  done
}

# stored_lists LOCATION FILE: how many of the list ids in FILE are stored (recommendation or offer lists).
stored_lists() {
  local location="$1" file="$2"
  if [[ "$location" == postgres* ]]; then
    {
      echo "CREATE TEMP TABLE served (id TEXT PRIMARY KEY);"
      echo "COPY served FROM STDIN;"
      cat "$file"
      echo '\.'
      echo "SELECT count(*) FROM served s WHERE EXISTS (SELECT 1 FROM recommendation_lists r WHERE r.list_id = s.id)"
      echo "  OR EXISTS (SELECT 1 FROM offer_lists o WHERE o.list_id = s.id);"
    } | psql "$location" -tAq -v ON_ERROR_STOP=1
  else
    {
      echo "CREATE TEMP TABLE served (id TEXT PRIMARY KEY);"
      awk '{printf "INSERT OR IGNORE INTO served VALUES (\x27%s\x27);\n", $1}' "$file"
      echo "SELECT count(*) FROM served s WHERE EXISTS (SELECT 1 FROM recommendation_lists r WHERE r.list_id = s.id)"
      echo "  OR EXISTS (SELECT 1 FROM offer_lists o WHERE o.list_id = s.id);"
    } | sqlite3 "$location"
  fi
}

stored_trials() {
  local location="$1" sql="SELECT COALESCE(SUM(trials), 0) FROM bandit"
  if [[ "$location" == postgres* ]]; then psql "$location" -tAq -c "$sql"; else sqlite3 "$location" "$sql"; fi
}

metric() { curl -s "http://127.0.0.1:$PORT/metrics" | awk -v name="basketry_$1" '$1 == name {print $2}' | head -1; }

pg_cluster() {
  if ! pg_lsclusters -h | awk '{print $2}' | grep -qx "$PG_CLUSTER"; then
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$OUTAGE_PG_PORT" >/dev/null
  fi
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start 2>/dev/null || true
  until pg_isready -h 127.0.0.1 -p "$OUTAGE_PG_PORT" -q; do sleep 0.2; done
  su postgres -s /bin/sh -c "psql -p $OUTAGE_PG_PORT -q -d postgres" >/dev/null 2>&1 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'basketry') THEN CREATE ROLE basketry LOGIN PASSWORD 'basketry'; END IF;
END $$;
SQL
  su postgres -s /bin/sh -c "dropdb -p $OUTAGE_PG_PORT --if-exists --force basketry_outage; createdb -p $OUTAGE_PG_PORT -O basketry basketry_outage"
}

run_scenario() {
  local name="$1" location start_outage end_outage
  rm -f "$WORK"/writes-* "$WORK"/reads-* "$WORK/ready" "$WORK/stop"
  echo before >"$WORK/phase"
  case "$name" in
    postgres)
      pg_cluster
      location="postgres://basketry:basketry@127.0.0.1:$OUTAGE_PG_PORT/basketry_outage"
      ;;
    disk-full)
      mkdir -p "$FULL_DIR"
      mountpoint -q "$FULL_DIR" || mount -t tmpfs -o size="${FULL_MB}m" tmpfs "$FULL_DIR"
      rm -f "$FULL_DIR"/*
      location="$FULL_DIR/outage.sqlite"
      ;;
  esac
  # The spill file lives apart from the database (a full disk must not take it too).
  export BASKETRY_SPILL_PATH="$WORK/$name.spill"
  # A low spill threshold, so a 10 s outage exercises the spill file and its replay.
  export BASKETRY_SPILL_AFTER="${SPILL_AFTER:-50}"
  start_server "$location" "$PORT" "$WORK/server-$name.log" || return 1
  local pid="$SERVER_PID"
  seed_shop
  local clients=()
  for n in $(seq 1 "$WRITERS"); do writer "$n" & clients+=($!); done
  for n in $(seq 1 "$READERS"); do reader "$n" & clients+=($!); done
  readiness & clients+=($!)
  sleep "$BEFORE_SECONDS"
  echo outage >"$WORK/phase"
  start_outage=$(now_ms)
  case "$name" in
    postgres) pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast ;;
    disk-full) dd if=/dev/zero of="$FULL_DIR/filler" bs=1M 2>/dev/null || true ;;
  esac
  sleep "$OUTAGE_SECONDS"
  case "$name" in
    postgres) pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start ;;
    disk-full) rm -f "$FULL_DIR/filler" ;;
  esac
  end_outage=$(now_ms)
  echo after >"$WORK/phase"
  sleep "$AFTER_SECONDS"
  touch "$WORK/stop"
  wait "${clients[@]}" 2>/dev/null || true
  sleep 2 # one more flush interval or two: what was served is written
  # Give the flusher time to replay a spill after recovery.
  for _ in $(seq 1 20); do
    [ "$(metric store_unavailable)" = "0" ] && [ "$(metric pending_entries)" = "0" ] && break
    sleep 0.5
  done

  local restarted=no
  if ! kill -0 "$pid" 2>/dev/null; then restarted=yes; fi
  local writes reads
  writes=$(cat "$WORK"/writes-*)
  reads=$(cat "$WORK"/reads-*)
  local posted acked unavailable retry_after other
  posted=$(printf '%s\n' "$writes" | wc -l)
  acked=$(printf '%s\n' "$writes" | awk '$2 ~ /^2/' | wc -l)
  unavailable=$(printf '%s\n' "$writes" | awk '$2 == 503' | wc -l)
  retry_after=$(printf '%s\n' "$writes" | awk '$2 == 503 && $3 == "yes"' | wc -l)
  other=$(printf '%s\n' "$writes" | awk '$2 !~ /^2/ && $2 != 503' | wc -l)
  printf '%s\n' "$writes" | awk '$2 ~ /^2/ {for (i = 4; i <= NF; i++) print $i}' >"$WORK/acked"
  local acked_events
  acked_events=$(wc -l <"$WORK/acked")

  # Every acknowledged event re-posted: all must be duplicates.
  local accepted=0 duplicates=0 answer
  split -l 500 "$WORK/acked" "$WORK/chunk-"
  for chunk in "$WORK"/chunk-*; do
    [ -e "$chunk" ] || continue
    answer=$(api POST /v1/events "[$(awk '{printf "%s{\"event_id\":\"%s\",\"user\":\"check\",\"item\":\"x\",\"type\":\"view\"}", (NR > 1 ? "," : ""), $1}' "$chunk")]")
    accepted=$((accepted + $(echo "$answer" | json_field accepted)))
    duplicates=$((duplicates + $(echo "$answer" | json_field duplicates)))
  done
  rm -f "$WORK"/chunk-*

  local outage_reads outage_errors served_lists stored served_trials trials
  outage_reads=$(printf '%s\n' "$reads" | awk '$1 == "outage"' | wc -l)
  outage_errors=$(printf '%s\n' "$reads" | awk '$1 == "outage" && $3 != 200' | wc -l)
  printf '%s\n' "$reads" | awk '$3 == 200 && $4 != "-" {print $4}' | sort -u >"$WORK/served-lists"
  served_lists=$(wc -l <"$WORK/served-lists")
  stored=$(stored_lists "$location" "$WORK/served-lists")
  served_trials=$(printf '%s\n' "$reads" | awk '$3 == 200 {s += $5} END {print s + 0}')
  trials=$(stored_trials "$location")
  local not_ready_ms ready_again
  not_ready_ms=$(awk '$3 != 200 {n++} END {print n * 500}' "$WORK/ready")
  ready_again=$(awk -v end="$end_outage" '$1 > end && $3 == 200 {print $1 - end; exit}' "$WORK/ready")

  echo "== $name (outage ${OUTAGE_SECONDS}s, $WRITERS writers, $READERS readers)"
  echo "  event batches posted: $posted   acknowledged (2xx): $acked   503: $unavailable (with Retry-After: $retry_after)   other: $other"
  echo "  acknowledged events: $acked_events   stored after recovery: $duplicates   lost: $((acked_events - duplicates))   (re-post accepted anew: $accepted)"
  echo "  reads during the outage: $outage_reads   errors: $outage_errors   (all phases: $(printf '%s\n' "$reads" | wc -l) reads, $(printf '%s\n' "$reads" | awk '$3 != 200' | wc -l) errors)"
  echo "  impression lists served: $served_lists   stored after recovery: $stored   lost: $((served_lists - stored))"
  echo "  bandit trials served: $served_trials   stored: $trials"
  echo "  readiness: $(awk '{print $2 ":" $3}' "$WORK/ready" | uniq -c | awk '{printf "%s×%s ", $2, $1}')"
  echo "  not ready for ~${not_ready_ms} ms; ready again ${ready_again:-never} ms after the store came back; restarted: $restarted"
  echo "  metrics: flush_failures_total=$(metric flush_failures_total) impressions_spilled_total=$(metric impressions_spilled_total) impressions_replayed_total=$(metric impressions_replayed_total) impressions_dropped_total=$(metric impressions_dropped_total) store_read_fallbacks_total=$(metric store_read_fallbacks_total)"
  stop_server
  local ok=1
  [ "$duplicates" -eq "$acked_events" ] && [ "$accepted" -eq 0 ] || ok=0
  [ "$stored" -eq "$served_lists" ] || ok=0
  [ "$outage_errors" -eq 0 ] || ok=0
  [ "$restarted" = no ] && [ -n "$ready_again" ] || ok=0
  [ "$other" -eq 0 ] || ok=0
  if [ "$ok" = 1 ]; then echo "  OK"; else echo "  FAIL"; return 1; fi
}

status=0
for scenario in $SCENARIOS; do run_scenario "$scenario" || status=1; done
exit $status
