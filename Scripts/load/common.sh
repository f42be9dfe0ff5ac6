#!/usr/bin/env bash
# Shared helpers for the load and durability scripts (sourced). Loopback only.

BASKETRY_BIN="${BASKETRY_BIN:-.build/release/basketry}"
ADMIN_KEY="${ADMIN_KEY:-admin-load}"
export BASKETRY_PSEUDONYM_KEY="${BASKETRY_PSEUDONYM_KEY:-load-test-key}"
export BASKETRY_API_KEYS="admin:$ADMIN_KEY"
export BASKETRY_LOG_LEVEL="${BASKETRY_LOG_LEVEL:-warning}"

need_binary() {
  if [ ! -x "$BASKETRY_BIN" ]; then
    echo "building release binary (swift build -c release --product basketry)" >&2
    swift build -c release --product basketry >&2
  fi
}

# start_server STORE PORT LOG → sets SERVER_PID; waits until /health/ready answers.
start_server() {
  local store="$1" port="$2" log="$3"
  "$BASKETRY_BIN" serve --store "$store" --host 127.0.0.1 --port "$port" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    if curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "server exited; log:" >&2; cat "$log" >&2; return 1; fi
    sleep 0.1
  done
  echo "server did not become ready on port $port" >&2
  return 1
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=
}

# api METHOD PATH [BODY] → prints the response body.
api() {
  local method="$1" path="$2" body="${3:-}"
  if [ -n "$body" ]; then
    curl -sS -X "$method" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
      --data-binary "$body" "http://127.0.0.1:$PORT$path"
  else
    curl -sS -X "$method" -H "Authorization: Bearer $ADMIN_KEY" "http://127.0.0.1:$PORT$path"
  fi
}

# json_field NAME < JSON → the first numeric value of "NAME".
json_field() { grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }

# seed_shop: 200 priced items and 3000 purchase baskets with a planted structure
# (item i is often bought with i+1), posted in batches of 500 events.
seed_shop() {
  local i
  for i in $(seq 0 199); do
    api PUT "/v1/items/sku$i" "{\"title\": \"Gizmo$i\", \"price\": $((5 + i % 20)), \"cost\": $((2 + i % 8))}" >/dev/null
  done
  awk 'BEGIN {
      srand(7); n = 0; batch = "";
      for (b = 0; b < 3000; b++) {
        a = int(rand() * 199); items[0] = a; m = 1;
        if (rand() < 0.7) items[m++] = a + 1;
        if (rand() < 0.3) items[m++] = int(rand() * 200);
        for (j = 0; j < m; j++) {
          e = sprintf("{\"event_id\":\"seed-%d-%d\",\"user\":\"user%d\",\"item\":\"sku%d\",\"type\":\"purchase\",\"session\":\"b%d\",\"price\":10,\"timestamp\":1700000000}", b, j, b % 700, items[j], b);
          batch = batch (n % 500 == 0 ? "" : ",") e; n++;
          if (n % 500 == 0) { print "[" batch "]"; batch = "" }
        }
      }
      if (batch != "") print "[" batch "]";
    }' | while IFS= read -r line; do api POST /v1/events "$line" >/dev/null; done
}
