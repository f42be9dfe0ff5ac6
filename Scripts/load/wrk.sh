#!/usr/bin/env bash
# Load benchmark (not a test): GET /v1/bundles vs GET /health/live on the same server, same run,
# with wrk on loopback. Target: bundles ≥ 50 % of health's throughput, p99 under 10 ms (2 cores).
#
#   apt-get install -y wrk && Scripts/load/wrk.sh            # SQLite store in a temp folder
#   STORE=postgres://basketry:basketry@127.0.0.1:5432/basketry Scripts/load/wrk.sh
#   DURATION=20s THREADS=2 CONNECTIONS=32 Scripts/load/wrk.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source Scripts/load/common.sh
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
need_binary

DURATION="${DURATION:-15s}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
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
  echo "== $label" >&2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" | tee "$WORK/$label.txt" >&2
}
run health "http://127.0.0.1:$PORT/health/live"
run bundles -s "$WORK/bundles.lua" "http://127.0.0.1:$PORT/"

rps() { awk '/Requests\/sec/ {print $2}' "$WORK/$1.txt"; }
pct() { awk -v p="$2" '$1 == p {print $2}' "$WORK/$1.txt"; }
non2xx() { awk '/Non-2xx/ {print $NF}' "$WORK/$1.txt"; }
echo
echo "endpoint        req/s      p50       p99      non-2xx"
for label in health bundles; do
  printf "%-14s %8s %9s %9s %8s\n" "$label" "$(rps $label)" "$(pct $label 50%)" "$(pct $label 99%)" "$(non2xx $label || true)"
done
awk -v b="$(rps bundles)" -v h="$(rps health)" 'BEGIN {printf "bundles / health throughput: %.1f %%\n", 100 * b / h}'
