#!/usr/bin/env bash
# Search variants on the zoo's boundary encoders: the two trojans the default detector misses
# (bad-r16-mnist-white4-c, bad-r16-fmnist-checker5-c) and the two clean encoders nearest them
# (simclr-r16-mnist, ctl-r16-mnist), each scanned with the defaults and with one knob changed.
#   bench/variants.sh [ZOO_DIR] [OUT_DIR]     (defaults: bench-out/zoo-full, ZOO_DIR/variants)
#   VARIANTS="default|--holdout 32|..." and ENCODERS="name ..." choose others (one scan per encoder and variant, ~50 s each on 2 cores)
# Result: OUT_DIR/variants.md (PL1 per encoder and variant) and each scan's evidence under OUT_DIR/<variant>/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZOO="${1:-$ROOT/bench-out/zoo-full}"
OUT="${2:-$ZOO/variants}"
read -r -a ENCODERS <<<"${ENCODERS:-bad-r16-mnist-white4-c bad-r16-fmnist-checker5-c simclr-r16-mnist ctl-r16-mnist}"
IFS='|' read -r -a VARS <<<"${VARIANTS:-default|--holdout 32|--target 0.97|--no-center}"
command -v jq >/dev/null || { apt-get update -qq && apt-get install -y -qq jq; }
mkdir -p "$OUT"

{
  echo "# Search variants on the boundary encoders (\`bench/variants.sh\`)"
  echo
  echo "PL1 of the smallest trigger found (threshold 0.015; seed 100, 1000 shadow images, window starts)."
  echo
  printf '| variant |'; for e in "${ENCODERS[@]}"; do printf ' %s |' "$e"; done; echo
  printf '|---|'; for _ in "${ENCODERS[@]}"; do printf -- '---|'; done; echo
  for v in "${VARS[@]}"; do
    tag="$(tr -c 'a-z0-9.\n' '_' <<<"$v")"
    printf '| `%s` |' "$v"
    mkdir -p "$OUT/$tag"
    for e in "${ENCODERS[@]}"; do
      model="$(jq -r --arg m "$e.pt" '.encoders[] | select(.model | endswith("/" + $m)) | .model' "$ZOO/zoo.json")"
      images="$(jq -r --arg m "$e.pt" '.encoders[] | select(.model | endswith("/" + $m)) | .images' "$ZOO/zoo.json")"
      args=(); [ "$v" = default ] || read -r -a args <<<"$v"
      # exit 1 means "trojaned", not a failure
      "$ROOT/decree" scan "$ZOO/$model" --images "$ZOO/$images" "${args[@]}" --out "$OUT/$tag/$e" --json >"$OUT/$tag/$e.json" 2>/dev/null || [ $? -eq 1 ]
      printf ' %.4f |' "$(jq -r .pl1Norm "$OUT/$tag/$e.json")"
    done
    echo
  done
} >"$OUT/variants.md"
cat "$OUT/variants.md"
