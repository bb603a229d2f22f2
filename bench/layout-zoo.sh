#!/usr/bin/env bash
# Does a scan's verdict survive the input's memory layout? The contrasted zoo evaluation (the rule of every scan with a
# base) once contiguous and once channels-last, the two compared encoder by encoder: verdict, PL1, image-passes, seconds.
#   bench/layout-zoo.sh ZOO [--only REGEX] [--contiguous EVAL_DIR] [--out DIR]
# ZOO is a built zoo (bench/build-zoo.sh). --contiguous takes an existing contiguous evaluation of the same code and
# search instead of running one (its seconds then come from another hour: say so beside the figure). Default --only
# leaves out the MobileNetV2 pair (its control alone takes about 1.5 h; it needs THP_MEM_ALLOC_ENABLE=1, which slows
# the 32-px scans, so it is evaluated on its own). Run it alone on the machine: seconds are the figure it measures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: $0 ZOO [--only REGEX] [--contiguous EVAL_DIR] [--out DIR]" >&2; exit 4; }
ZOO="$1"; shift
ONLY='^(?!.*mobilenet).*' CONTIGUOUS="" OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --contiguous) CONTIGUOUS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 ZOO [--only REGEX] [--contiguous EVAL_DIR] [--out DIR]" >&2; exit 4 ;;
  esac
done
OUT="${OUT:-$ZOO/layout}"
mkdir -p "$OUT"
if [ -z "$CONTIGUOUS" ]; then
  CONTIGUOUS="$OUT/contiguous"
  DECREE_LAYOUT=contiguous "$ROOT/decree" eval "$ZOO" --contrast --reuse --only "$ONLY" --out "$CONTIGUOUS" > /dev/null
fi
DECREE_LAYOUT=channels-last "$ROOT/decree" eval "$ZOO" --contrast --reuse --only "$ONLY" --out "$OUT/channels-last" > /dev/null
python3 - "$CONTIGUOUS/eval.json" "$OUT/channels-last/eval.json" <<'PY' | tee "$OUT/layout.md"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
cl = {r["model"]: r for r in b["rows"]}
print("| model | label | contiguous: PL1 | verdict | image-passes | seconds | channels-last: PL1 | verdict | image-passes | seconds |")
print("|---|---|---|---|---|---|---|---|---|---|")
same = passes = n = 0
secs = [0.0, 0.0]
for r in a["rows"]:
    c = cl.get(r["model"])
    if c is None:
        continue
    n += 1
    same += r["verdict"] == c["verdict"]
    passes += r["imagePasses"] == c["imagePasses"]
    secs[0] += r["seconds"]; secs[1] += c["seconds"]
    label = "trojaned" if r["trojaned"] else "clean"
    print(f"| {r['model']} | {label} | {r['pl1']:.4f} | {r['verdict']} | {r['imagePasses']} | {r['seconds']:.1f} "
          f"| {c['pl1']:.4f} | {c['verdict']} | {c['imagePasses']} | {c['seconds']:.1f} |")
print()
print(f"{n} encoders in both; verdicts the same: {same} of {n}; image-passes the same: {passes} of {n}; "
      f"accuracy contiguous {a['accuracy']:.3f}, channels-last {b['accuracy']:.3f}; "
      f"seconds in all {secs[0]:.0f} -> {secs[1]:.0f} ({secs[0] / max(secs[1], 1e-9):.2f}x)")
PY
