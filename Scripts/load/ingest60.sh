#!/usr/bin/env bash
# Sustained ingest for 60 s (benchmark, not a test): wrk posts batches of events with unique ids;
# afterwards events stored (GET /v1/admin/stats) must equal events acknowledged (2xx × batch size),
# up to the requests still in flight when wrk stops at the deadline (at most one per connection):
# the server stores and answers those, but wrk no longer reads the answers.
#
#   Scripts/load/ingest60.sh                     # SQLite
#   STORE=postgres://basketry:basketry@127.0.0.1:5432/basketry Scripts/load/ingest60.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
need_binary

DURATION="${DURATION:-60s}"
BATCH="${BATCH:-20}"
CONNECTIONS="${CONNECTIONS:-8}"
PORT="${PORT:-18081}"
WORK="$(mktemp -d)"
STORE="${STORE:-$WORK/ingest.sqlite}"
trap 'stop_server; rm -rf "$WORK"' EXIT
start_server "$STORE" "$PORT" "$WORK/server.log"
before=$(api GET /v1/admin/stats | json_field events)
RUN="r$(date +%s%N)"

cat >"$WORK/ingest.lua" <<LUA
local key, batch, run = "$ADMIN_KEY", $BATCH, "$RUN"
local threads = {}
local counter = 0
local acked = 0
setup = function(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
init = function() tid = wrk.thread:get("tid") end
request = function()
  local events = {}
  for i = 1, batch do
    counter = counter + 1
    events[i] = string.format(
      '{"event_id":"%s-%d-%d","user":"u%d","item":"sku%d","type":"%s","session":"s%d","price":3}',
      run, tid, counter, counter % 5000, counter % 300, (i % 3 == 0) and "purchase" or "view", math.floor(counter / 4))
  end
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"},
    "[" .. table.concat(events, ",") .. "]")
end
response = function(status) if status == 200 then acked = acked + 1 end end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("acked") end
  io.write(string.format("ACKED_REQUESTS %d\n", total))
end
LUA
# wrk's done() reads per-thread globals through thread:get, so expose acked as a global.
sed -i 's/^local acked = 0$/acked = 0/' "$WORK/ingest.lua"

wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/ingest.lua" "http://127.0.0.1:$PORT/" | tee "$WORK/wrk.txt"
acked_requests=$(awk '/ACKED_REQUESTS/ {print $2}' "$WORK/wrk.txt")
acked=$((acked_requests * BATCH))
sleep 1
after=$(api GET /v1/admin/stats | json_field events)
stored=$((after - before))
in_flight=$((stored - acked))
echo "events acknowledged: $acked   events stored: $stored   in flight at the deadline: $in_flight" \
  "($(awk -v s="$stored" -v d="${DURATION%s}" 'BEGIN {printf "%.0f", s / d}') events/s)"
if [ "$stored" -lt "$acked" ]; then echo "FAIL: acknowledged events missing" >&2; exit 1; fi
if [ "$in_flight" -gt $((CONNECTIONS * BATCH)) ] || [ $((in_flight % BATCH)) -ne 0 ]; then
  echo "FAIL: more stored than acknowledged plus one in-flight batch per connection" >&2
  exit 1
fi
echo "OK: every acknowledged event stored; the $((in_flight / BATCH)) batches beyond were in flight at the deadline"
