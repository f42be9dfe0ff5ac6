#!/usr/bin/env bash
# Served = evaluated: what `basketry serve` answers is what `basketry evaluate` scored.
#
# Evaluates a recommender with a temporal cut-off on an Online Retail export and writes its top-20 lists
# (`evaluate --rankings`), trains the same model with the same cut-off into a fresh store (`train --model
# --cutoff`), serves it on loopback, asks GET /v1/users/{id}/recommendations?k=20&exclude_seen=false for every
# evaluated user, and compares the lists. Exits non-zero on any difference.
#
#   Scripts/serving/served-equals-evaluated.sh [FILE]           # default: the shipped sample
#   MODEL=ease CUTOFF=2011-11-09 STORE=postgres://… Scripts/serving/served-equals-evaluated.sh FILE
#
# Needs curl and jq (apt-get install -y curl jq) and a release build (built when missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
. Scripts/load/common.sh
need_binary

data="${1:-Data/online-retail-sample/online_retail_2011-10_2011-11.csv.gz}"
model="${MODEL:-itemknn}"
cutoff="${CUTOFF:-2011-11-09}"
port="${PORT:-18391}"
work="$(mktemp -d)"
store="${STORE:-$work/served.sqlite}"
trap 'stop_server; rm -rf "$work"' EXIT

echo "== evaluate $model, cut-off $cutoff"
"$BASKETRY_BIN" evaluate --format online-retail --models "$model" --cutoff "$cutoff" --k 20 \
  --rankings "$work/rankings" --output "$work/leaderboard.json" "$data"
echo "== train $model, cut-off $cutoff, into $store"
"$BASKETRY_BIN" train --store "$store" --model "$model" --cutoff "$cutoff" --anchor-items 0 \
  --format online-retail "$data"
start_server "$store" "$port" "$work/server.log"

total=0
differ=0
while IFS=$'\t' read -r user items; do
  total=$((total + 1))
  served="$(curl -sf -H "Authorization: Bearer $ADMIN_KEY" \
    "http://127.0.0.1:$port/v1/users/$user/recommendations?k=20&exclude_seen=false" |
    jq -r '[.recommendations[].item] | join(",")')"
  if [ "$served" != "$items" ]; then
    differ=$((differ + 1))
    if [ "$differ" -le 3 ]; then
      echo "user $user: evaluated $items" >&2
      echo "user $user: served    $served" >&2
    fi
  fi
done <"$work/rankings/$model.tsv"

recall="$(jq -r --arg m "$model" '.results[] | select(.model == $m) | .metrics["recall@20"]' "$work/leaderboard.json")"
echo "users compared: $total; lists that differ: $differ; offline Recall@20 of $model: $recall"
if [ "$total" -eq 0 ] || [ "$differ" -ne 0 ]; then exit 1; fi
echo "served = evaluated: every served top-20 is the evaluated one, so Recall@20 from the served lists is $recall"
