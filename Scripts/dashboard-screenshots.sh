#!/usr/bin/env bash
# Screenshots of the live dashboard at desktop and phone widths (Docs/dashboard-desktop.png,
# Docs/dashboard-phone.png), taken by headless Chromium against a server on loopback that serves a model
# trained on the shipped sample and has seen some traffic: an experiment, bundle offers, views, carts and
# purchases from offers, and a price test with sessions and purchases.
#
#   Scripts/dashboard-screenshots.sh            # builds the release binary if needed
#   BASKETRY_BIN=.build/debug/basketry Scripts/dashboard-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BASKETRY_BIN:-.build/release/basketry}
if [ ! -x "$BIN" ]; then swift build -c release --product basketry; fi
CHROMIUM=${BASKETRY_CHROMIUM:-chromium}
PORT=${PORT:-18765}
OUT=${OUT:-Docs}
mkdir -p "$OUT"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== training on the shipped sample"
"$BIN" train --store "$work/shop.sqlite" --format online-retail Data/online-retail-sample/*.csv.gz --quiet

echo "== serving on 127.0.0.1:$PORT"
BASKETRY_PSEUDONYM_KEY=screenshots "$BIN" serve --store "$work/shop.sqlite" --port "$PORT" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if curl -fs "http://127.0.0.1:$PORT/health/ready" >/dev/null; then break; fi
  sleep 0.2
done
base="http://127.0.0.1:$PORT"

curl -fs -X POST "$base/v1/experiments" -H 'content-type: application/json' -d '{"id": "bundle-discount",
  "name": "Bundle discount: fixed 10 % vs bandit", "variants": [{"name": "fixed-10", "policy": "fixed",
  "discount": 0.1}, {"name": "bandit", "policy": "bandit"}]}' >/dev/null
# A price test on the cake stand, levels from the guardrails, with a budget on the profit at risk.
curl -fs -X POST "$base/v1/price-tests" -H 'content-type: application/json' -d '{"id": "cakestand-price",
  "item": "22423", "levels": "auto", "profit_at_risk_budget": 25}' >/dev/null

echo "== traffic (about 20 seconds)"
customers=(12748 14911 17841 13089 14606 15311 14096 12971 14527 13408 16029 17511)
for round in $(seq 1 40); do
  for customer in "${customers[@]:0:$((round % 12 + 1))}"; do
    session="s$round-$customer"
    offers=$(curl -fs "$base/v1/bundles?user=$customer&k=3&session=$session")
    id=$(printf '%s' "$offers" | sed -n 's/.*"recommendation_id":"\([^"]*\)".*/\1/p' | head -1)
    item=$(printf '%s' "$offers" | sed -n 's/.*"items":\[{"id":"\([^"]*\)".*/\1/p' | head -1)
    curl -fs "$base/v1/users/$customer/recommendations?k=10" >/dev/null
    events="{\"user\": \"$customer\", \"item\": \"${item:-22423}\", \"type\": \"view\", \"session\": \"$session\"}"
    if [ $((RANDOM % 3)) -eq 0 ]; then
      events="$events, {\"user\": \"$customer\", \"item\": \"${item:-22423}\", \"type\": \"cart\", \"session\": \"$session\"}"
    fi
    if [ -n "$id" ] && [ $((RANDOM % 4)) -eq 0 ]; then
      events="$events, {\"user\": \"$customer\", \"item\": \"$item\", \"type\": \"purchase\", \"price\": 4.95,
        \"session\": \"$session\", \"recommendation_id\": \"$id\"}"
    fi
    curl -fs -X POST "$base/v1/events" -H 'content-type: application/json' -d "[$events]" >/dev/null
    # The session's cake-stand price; dearer levels sell a little less often.
    quote=$(curl -fs "$base/v1/price-tests/cakestand-price/price?session=$session")
    pid=$(printf '%s' "$quote" | sed -n 's/.*"recommendation_id":"\([^"]*\)".*/\1/p')
    price=$(printf '%s' "$quote" | sed -n 's/.*"price":\([0-9.]*\).*/\1/p')
    if [ -n "$pid" ] && [ $((RANDOM % 100)) -lt $((40 - ${price%.*} * 2)) ]; then
      curl -fs -X POST "$base/v1/events" -H 'content-type: application/json' -d "{\"user\": \"$customer\",
        \"item\": \"22423\", \"type\": \"purchase\", \"price\": $price, \"session\": \"$session\",
        \"recommendation_id\": \"$pid\"}" >/dev/null
    fi
  done
  sleep 0.5
done
sleep 1.5  # one flush of impressions to the store

echo "== screenshots"
shoot() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$1" \
    --virtual-time-budget=4000 --screenshot="$2" "$base/dashboard" 2>/dev/null
  echo "wrote $2"
}
shoot 1280,3000 "$OUT/dashboard-desktop.png"
shoot 390,5200 "$OUT/dashboard-phone.png"
