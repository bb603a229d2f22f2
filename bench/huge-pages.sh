#!/usr/bin/env bash
# Where transparent huge pages start to pay: ms per image-pass with and without THP_MEM_ALLOC_ENABLE=1, by input size.
#   bench/huge-pages.sh [OUT]          (default bench-out/huge-pages; needs ../shared; ~10 min on 2 cores, run it alone)
# The shared ResNet-18 (16 wide, adaptive pooling) is timed at 32-224 px through copies of its input spec; the face
# encoder (150 px) and MobileNetV2 (224 px; its fixed 7x7 pooling takes no smaller input) at their own size. Each point: `decree bench --steps 10
# --floor-iterations 2` (batch 32, the paper's single start), once off, once on. Prints a Markdown table; the worker's
# decree.worker.huge-pages-from-pixels is set from it (docs/detector.md).
# DECREE_BENCH_ARGS passes more to every `decree bench` (e.g. "--batch 16": the lean search's batch); HUGE_PAGES_ONLY=REGEX
# times only the points whose name (r16-32 … r16-224, face-150, mobilenet-224) matches.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DECREE_SHARED:-$ROOT/../shared}"
OUT="${1:-$ROOT/bench-out/huge-pages}"
mkdir -p "$OUT/models"
point() { # name model.pt
  local name="$1" model="$2"
  [[ "$name" =~ ${HUGE_PAGES_ONLY:-.} ]] || return 0
  for thp in off on; do
    if [ "$thp" = on ]; then export THP_MEM_ALLOC_ENABLE=1; else unset THP_MEM_ALLOC_ENABLE; fi
    "$ROOT/decree" bench "$model" --steps 10 --floor-iterations 2 ${DECREE_BENCH_ARGS:-} --out "$OUT/$name-$thp.json" > /dev/null 2>&1 \
      || echo "bench of $name ($thp) failed" >&2
  done
  unset THP_MEM_ALLOC_ENABLE
}
for side in 32 64 112 160 224; do
  ln -sf "$SHARED/architectures/resnet18_w16_32.pt" "$OUT/models/r16-$side.pt"
  echo "{\"inputSize\":[$side,$side],\"valueRange\":[0,1],\"mean\":null,\"std\":null}" > "$OUT/models/r16-$side.json"
  point "r16-$side" "$OUT/models/r16-$side.pt"
done
point face-150 "$SHARED/encoders/face_resnet_150.pt"
point mobilenet-224 "$SHARED/encoders/mobilenet_v2_224.pt"
python3 - "$OUT" "${HUGE_PAGES_ONLY:-.}" <<'PY'
import json, sys, os, re
out, only = sys.argv[1], re.compile(sys.argv[2])
rows = [("r16-%d" % s, "ResNet-18 w16", s) for s in (32, 64, 112, 160, 224)] + [("face-150", "face ResNet", 150), ("mobilenet-224", "MobileNetV2", 224)]
print("| encoder | input | pixels | ms/image-pass off | on | off/on |")
print("|---|---|---|---|---|---|")
for name, enc, side in (r for r in rows if only.search(r[0])):
    try:
        off = json.load(open(os.path.join(out, name + "-off.json")))["msPerImagePass"]
        on = json.load(open(os.path.join(out, name + "-on.json")))["msPerImagePass"]
        print(f"| {enc} | {side}x{side} | {side*side} | {off:.2f} | {on:.2f} | {off/on:.2f} |")
    except (OSError, KeyError) as e:
        print(f"| {enc} | {side}x{side} | {side*side} | – | – | ({e}) |")
PY
