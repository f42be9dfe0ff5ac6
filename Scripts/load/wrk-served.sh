#!/usr/bin/env bash
# Load benchmark (not a test): the trained engine served. Trains on an Online Retail export with the
# defaults (the selected recommender, bundles, per-item bundles), then measures with wrk on loopback, in one
# run on one server: GET /health/live, GET /v1/users/{id}/recommendations?k=10 and GET /v1/bundles?user=&k=3
# for random customers of the file. Target: both ≥ 50 % of health's throughput, p99 under 10 ms (2 cores).
#
#   apt-get install -y wrk && Scripts/load/wrk-served.sh [FILE]     # default: ../shared/data/online-retail
#   STORE=postgres://basketry:basketry@127.0.0.1:5432/basketry Scripts/load/wrk-served.sh
#   DURATION=20s THREADS=2 CONNECTIONS=32 ROUNDS=3 Scripts/load/wrk-served.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
need_binary

DATA="${1:-../shared/data/online-retail/online_retail.csv.gz}"
DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
ROUNDS="${ROUNDS:-1}"
PORT="${PORT:-18081}"
WORK="$(mktemp -d)"
STORE="${STORE:-$WORK/served.sqlite}"
trap 'stop_server; rm -rf "$WORK"' EXIT

echo "training on $DATA…" >&2
"$BASKETRY_BIN" train --store "$STORE" --format online-retail "$DATA" >&2
start_server "$STORE" "$PORT" "$WORK/server.log"

# Customers of the file, from its cleaned order lines (order and user come before any quoted column).
"$BASKETRY_BIN" ingest --quiet --format online-retail --output "$WORK/clean.csv" "$DATA" >/dev/null
awk -F, 'NR > 1 && $2 != "" { print $2 }' "$WORK/clean.csv" | sort -u >"$WORK/users.txt"
echo "$(wc -l <"$WORK/users.txt") customers; sample: $(curl -s "http://127.0.0.1:$PORT/v1/users/$(head -1 "$WORK/users.txt")/recommendations?k=3" -H "Authorization: Bearer $ADMIN_KEY" | head -c 300)…" >&2

lua() {
  local path="$1"
  cat <<LUA
local key = "$ADMIN_KEY"
local users = {}
for line in io.lines("$WORK/users.txt") do users[#users + 1] = line end
request = function()
  local user = users[math.random(1, #users)]
  return wrk.format("GET", string.format("$path", user), {["Authorization"] = "Bearer " .. key})
end
LUA
}
lua "/v1/users/%s/recommendations?k=10" >"$WORK/recommendations.lua"
lua "/v1/bundles?user=%s&k=3" >"$WORK/bundles.lua"

# Every customer in turn (the threads interleave), so each one's first request, which fills the per-shopper caches
# (history, ranking, bundle anchors and fits), is measured apart from the returning-customer rounds below.
each() {
  local path="$1"
  cat <<LUA
local key = "$ADMIN_KEY"
local users = {}
for line in io.lines("$WORK/users.txt") do users[#users + 1] = line end
local threads = 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) position = offset + 1 end
request = function()
  local user = users[(position - 1) % #users + 1]
  position = position + $THREADS
  return wrk.format("GET", string.format("$path", user), {["Authorization"] = "Bearer " .. key})
end
response = function()
  if position > #users then wrk.thread:stop() end
end
LUA
}
each "/v1/users/%s/recommendations?k=10" >"$WORK/recommendations-each.lua"
each "/v1/bundles?user=%s&k=3" >"$WORK/bundles-each.lua"

# The server's CPU time (user + system) per request: much less sensitive to the machine's other load than req/s.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
cpu_per_request() {
  awk -v t="$(cat "$WORK/$1.cpu")" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.0f", 1e6 * t / hz / $1}' "$WORK/$1.txt"
}
run() {
  local label="$1"; shift
  echo "== $label ($(uptime | sed 's/.*load/load/'))" >&2
  local before; before="$(cpu_ticks)"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | tee "$WORK/$label.txt" >&2
  echo "$(( $(cpu_ticks) - before ))" >"$WORK/$label.cpu"
}
rps() { awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$WORK/$1.txt"; }

# First requests: one connection per thread walks the customers once, then stops (wrk still waits out -d, so
# its req/s line means nothing here; latency and CPU per request do).
USERS="$(wc -l <"$WORK/users.txt")"
first_pass() {
  local label="$1" script="$2"
  echo "== $label: first request of each of $USERS customers" >&2
  local before; before="$(cpu_ticks)"
  wrk -t"$THREADS" -c"$THREADS" -d"${FIRST_PASS:-$((USERS / 100 + 30))s}" --latency -s "$script" "http://127.0.0.1:$PORT/" \
    | tee "$WORK/$label.txt" >&2
  echo "$(( $(cpu_ticks) - before ))" >"$WORK/$label.cpu"
}
first_pass first-recommendations "$WORK/recommendations-each.lua"
first_pass first-bundles "$WORK/bundles-each.lua"
for round in $(seq 1 "$ROUNDS"); do
  run "health-$round" "http://127.0.0.1:$PORT/health/live"
  run "recommendations-$round" -s "$WORK/recommendations.lua" "http://127.0.0.1:$PORT/"
  run "bundles-$round" -s "$WORK/bundles.lua" "http://127.0.0.1:$PORT/"
done

echo
for label in first-recommendations first-bundles; do
  requests="$(awk '/requests in/ {print $1}' "$WORK/$label.txt")"
  echo "$label: $requests requests ($USERS customers), p50 $(pct "$label" 50%)," \
    "p99 $(pct "$label" 99%), cpu µs/req $(cpu_per_request "$label")"
done
echo "store: $(case "$STORE" in postgres*) echo PostgreSQL ;; *) echo SQLite ;; esac), model: $(api GET /v1/admin/stats | head -c 200)"
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo "round endpoint           req/s      p50       p99  non-2xx  cpu µs/req  of health"
for round in $(seq 1 "$ROUNDS"); do
  for label in health recommendations bundles; do
    ratio="$(awk -v b="$(rps "$label-$round")" -v h="$(rps "health-$round")" 'BEGIN {printf "%.1f %%", 100 * b / h}')"
    printf "%-5s %-15s %9s %9s %9s %8s %11s  %s\n" "$round" "$label" "$(rps "$label-$round")" \
      "$(pct "$label-$round" 50%)" "$(pct "$label-$round" 99%)" "$(non2xx "$label-$round" || true)" \
      "$(cpu_per_request "$label-$round")" "$ratio"
  done
done
