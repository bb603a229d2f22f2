#!/usr/bin/env bash
# Is a fine-tune's contrasted shortcut one-sided? For each fine-tuned zoo encoder matching REGEX, two whole contrasted
# searches with the shipped settings: forward (a trigger that collapses the model, not its base: the shipped scan) and
# reverse (one that collapses the base, not the model). A clean fine-tune and its base differ by drift alone, so
# their shortcuts should run both ways about alike; a backdoor is a shortcut of the model only. Prints forward, reverse,
# their ratio and each search's base centred cosine, image-passes and seconds (docs/eval/pixels.md).
#   bench/asymmetry.sh ZOO REGEX [OUT]
# ZOO is a built zoo (bench/build-zoo.sh); REGEX is matched (Python re.search) against each entry's model path; OUT
# defaults to ZOO/asymmetry. A scan whose report.json is already in OUT is reused. Run it alone: seconds are measured.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 ZOO REGEX [OUT]" >&2; exit 4; }
ZOO="$(cd "$1" && pwd)"; REGEX="$2"; OUT="${3:-$ZOO/asymmetry}"
mkdir -p "$OUT"
# model<TAB>base<TAB>images<TAB>label, paths absolute
python3 - "$ZOO" "$REGEX" > "$OUT/pairs.tsv" <<'PY'
import json, os, re, sys
zoo, regex = sys.argv[1], re.compile(sys.argv[2])
entries = json.load(open(os.path.join(zoo, "zoo.json")))["encoders"]
by_name = {os.path.basename(e["model"]): e for e in entries}
for e in entries:
    base = by_name.get((e.get("attack") or {}).get("base") or "")
    if base is None or not regex.search(e["model"]):
        continue
    path = lambda p: os.path.normpath(os.path.join(zoo, p))
    print("\t".join([path(e["model"]), path(base["model"]), path(e["images"]), e["label"]]))
PY
[ -s "$OUT/pairs.tsv" ] || { echo "no fine-tuned encoder of $ZOO matches $REGEX" >&2; exit 2; }
scan() { # DIR MODEL BASE IMAGES: one whole contrasted search, unless its report is there
  [ -f "$1/report.json" ] && return 0
  # exit 1 is a trojaned verdict, not a failure
  "$ROOT/decree" scan "$2" --baseline "$3" --contrast --images "$4" --no-stop-at-verdict --json --out "$1" \
    > /dev/null 2> "$1.log" || [ $? -eq 1 ]
}
while IFS=$'\t' read -r model base images label; do
  name="$(basename "$model" .pt)"
  mkdir -p "$OUT/$name"
  scan "$OUT/$name/forward" "$model" "$base" "$images"
  scan "$OUT/$name/reverse" "$base" "$model" "$images"
done < "$OUT/pairs.tsv"
python3 - "$OUT" <<'PY' | tee "$OUT/asymmetry.md"
import json, os, sys
out = sys.argv[1]
def fig(r):
    s = r["decision"]["score"]
    return None if s is None or s >= 1 else s
def cos(r):
    b = (r.get("acceptance") or {}).get("baseSimilarity")
    return "–" if not isinstance(b, float) or b != b else f"{b:.3f}"
print("| model | label | forward PL1 (base cos) | reverse PL1 (model cos) | forward / reverse | image-passes fwd + rev | seconds fwd + rev |")
print("|---|---|---|---|---|---|---|")
for line in open(os.path.join(out, "pairs.tsv")):
    model, base, images, label = line.rstrip("\n").split("\t")
    name = os.path.basename(model)[:-3]
    f, r = (json.load(open(os.path.join(out, name, d, "report.json"))) for d in ("forward", "reverse"))
    ff, rf = fig(f), fig(r)
    # none found: no trigger smaller than the whole image, so 1
    ratio = "–" if ff is None else f"{ff / (1.0 if rf is None else rf):.3f}"
    show = lambda x: "none" if x is None else f"{x:.4f}"
    print(f"| {name} | {label} | {show(ff)} ({cos(f)}) | {show(rf)} ({cos(r)}) | {ratio} | "
          f"{f['imagePasses']:,} + {r['imagePasses']:,} | {f['seconds']:.0f} + {r['seconds']:.0f} |")
PY
