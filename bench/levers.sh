#!/usr/bin/env bash
# Cheaper searches for the base ratio, tried on the zoo's boundary encoders (docs/eval/base-ratio-cheaper.md,
# base-ratio-lean.md): each search runs whole (--no-stop-at-verdict) on the 10x10 trojans, the held-out 6-px trojan and
# the controls nearest the threshold; prints the ratio and the contrasted search's image-passes per encoder and search.
# Since stop 38 the bases are scanned with the yardstick's search (the default) whatever the lever, once per lever's
# folder; at stop 37 they were scanned with each lever's own search, which is what base-ratio-cheaper.md's columns show.
#   bench/levers.sh ZOO [--out DIR] [--default EVAL_DIR]
# ZOO is a built zoo (bench/build-zoo.sh). --default adds the default search's column from an existing evaluation
# (e.g. ZOO/eval-ratio, whole searches). About 7 min per search on 2 cores: run it alone, seconds are not its figure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "usage: $0 ZOO [--out DIR] [--default EVAL_DIR]" >&2; exit 4; }
[ $# -ge 1 ] || usage
ZOO="$1"; shift
OUT="" DEFAULT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    --default) DEFAULT="$2"; shift 2 ;;
    *) usage ;;
  esac
done
OUT="${OUT:-$ZOO/levers}"
mkdir -p "$OUT"
ONLY='encoders/(bad-r16-mnist-white10-br|bad-r16-fmnist-s2-white6-c|bad-r16-fmnist-white10-br|bad-r32-fmnist-white10-br|ctl-r16-fmnist-s2-b|ctl-r16-fmnist-s2|ctl-r16-mnist-c)\.pt$'
declare -A LEVERS=(
  [fast]="--search fast"
  [w200]="--search fast --window-steps 200"
  [q16]="--search quick --batch 16"
  [g3]="--search fast --window-grid 3 --probe-steps 24 --window-steps 200"
  [lean]="--search lean"
)
EVALS=()
[ -n "$DEFAULT" ] && EVALS+=("default=$DEFAULT/eval.json")
for name in fast w200 q16 g3 lean; do
  # shellcheck disable=SC2086 # the lever's flags are words
  "$ROOT/decree" eval "$ZOO" --contrast --no-stop-at-verdict ${LEVERS[$name]} --only "$ONLY" --out "$OUT/$name" > /dev/null
  EVALS+=("$name=$OUT/$name/eval.json")
done
python3 - "${EVALS[@]}" <<'PY' | tee "$OUT/levers.md"
import json, sys
runs = [(a.split("=", 1)[0], {r["model"]: r for r in json.load(open(a.split("=", 1)[1]))["rows"]}) for a in sys.argv[1:]]
first = runs[-1][1]
print("| model | label | " + " | ".join(name for name, _ in runs) + " |")
print("|---|---|" + "---|" * len(runs))
for model, row in first.items():
    cells = []
    for _, rows in runs:
        r = rows.get(model)
        wrong = r is not None and (r["verdict"] == "trojaned") != r["trojaned"]
        cells.append("–" if r is None else f"{r['pl1']:.3f}x ({r['imagePasses']:,})" + (" **wrong**" if wrong else ""))
    print(f"| {model.removesuffix('.pt')} | {'trojaned' if row['trojaned'] else 'clean'} | " + " | ".join(cells) + " |")
PY
