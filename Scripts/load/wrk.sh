#!/usr/bin/env bash
# Load benchmark (not a test): GET /v1/bundles vs GET /health/live on the same server, same run,
# with wrk on loopback. Target: bundles ≥ 50 % of health's throughput, p99 under 10 ms (2 cores).
#
#   apt-get install -y wrk && Scripts/load/wrk.sh            # SQLite store in a temp folder
#   STORE=postgres://basketry:basketry@127.0.0.1:5432/basketry Scripts/load/wrk.sh
#   DURATION=20s THREADS=2 CONNECTIONS=32 ROUNDS=3 Scripts/load/wrk.sh
#   PERF=perf.data Scripts/load/wrk.sh   # also `perf record -g` the server during the bundles runs
#
# ROUNDS alternates health and bundles runs on the same server (the machine may be shared: compare
# the ratio within a round); the load average is printed before each run.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
need_binary

DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-1}"
PERF="${PERF:-}"
PORT="${PORT:-18080}"
WORK="$(mktemp -d)"
STORE="${STORE:-$WORK/load.sqlite}"
trap 'stop_server; rm -rf "$WORK"' EXIT

start_server "$STORE" "$PORT" "$WORK/server.log"
echo "seeding 200 items and 3000 baskets…" >&2
seed_shop
"$BASKETRY_BIN" train --store "$STORE" --quiet
sleep 3  # the server switches to the new model (polling / NOTIFY)
echo "model: $(api GET /v1/admin/stats)" >&2
echo "sample: $(curl -s "http://127.0.0.1:$PORT/v1/bundles?item=sku10&k=3" -H "Authorization: Bearer $ADMIN_KEY" | head -c 400)…" >&2

cat >"$WORK/bundles.lua" <<LUA
local key = "$ADMIN_KEY"
request = function()
  local item = math.random(0, 199)
  return wrk.format("GET", "/v1/bundles?item=sku" .. item .. "&k=3", {["Authorization"] = "Bearer " .. key})
end
LUA

run() {
  local label="$1"; shift
  echo "== $label ($(uptime | sed 's/.*load/load/'))" >&2
  local recorder=
  if [ -n "$PERF" ] && [[ "$label" == bundles* ]]; then
    perf record -g -o "$PERF" -p "$SERVER_PID" >/dev/null 2>&1 &
    recorder=$!
  fi
  local before; before="$(cpu_ticks)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | tee "$WORK/$label.txt" >&2
  echo "$(( $(cpu_ticks) - before ))" >"$WORK/$label.cpu"
  if [ -n "$recorder" ]; then kill -INT "$recorder"; wait "$recorder" || true; fi
}
# Server CPU time (user + system, clock ticks) so far: CPU per request does not depend on the
# machine's other load, unlike req/s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# µs of server CPU per request in a run.
cpu_per_request() {
  awk -v t="$(cat "$WORK/$1.cpu")" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.0f", 1e6 * t / hz / $1}' "$WORK/$1.txt"
}
rps() { awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$WORK/$1.txt"; }

run warmup -d3s -s "$WORK/bundles.lua" "http://127.0.0.1:$PORT/" >/dev/null 2>&1
for round in $(seq 1 "$ROUNDS"); do
  run "health-$round" "http://127.0.0.1:$PORT/health/live"
  run "bundles-$round" -s "$WORK/bundles.lua" "http://127.0.0.1:$PORT/"
done

# Impressions still buffered after the runs show a store that cannot keep up with the offered
# load (the req/s above is then not sustainable): wait for them to drain and say how long it took.
drained=
for second in $(seq 1 120); do
  sleep 1
  pending="$(api GET /v1/admin/stats | grep -o '"pending_impressions":[0-9]*' | cut -d: -f2)"
  if [ "${pending:-0}" -le 1000 ]; then drained="$second"; break; fi
done
echo "after the runs: $(api GET /v1/admin/stats)" >&2

echo
echo "store: $(case "$STORE" in postgres*) echo PostgreSQL ;; *) echo SQLite ;; esac), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo "impressions buffered after the last run drained in ${drained:-more than 120} s (≤ 1,000 left)"
echo "round endpoint      req/s      p50       p99  non-2xx  cpu µs/req  bundles/health"
for round in $(seq 1 "$ROUNDS"); do
  for label in health bundles; do
    ratio=
    if [ "$label" = bundles ]; then
      ratio="$(awk -v b="$(rps "bundles-$round")" -v h="$(rps "health-$round")" 'BEGIN {printf "%.1f %%", 100 * b / h}')"
    fi
    printf "%-5s %-9s %9s %9s %9s %8s  %10s  %s\n" "$round" "$label" "$(rps "$label-$round")" \
      "$(pct "$label-$round" 50%)" "$(pct "$label-$round" 99%)" "$(non2xx "$label-$round" || true)" \
      "$(cpu_per_request "$label-$round")" "$ratio"
  done
done
