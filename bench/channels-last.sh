#!/usr/bin/env bash
# What the input's memory layout costs: ms per image-pass with the batch contiguous (NCHW) and channels-last (NHWC).
#   bench/channels-last.sh [OUT]       (default bench-out/channels-last; needs ../shared; ~8 min on 2 cores, run it alone)
# Each point: `decree bench --steps 10 --floor-iterations 3 --layout L` (batch 32, the paper's single start), huge pages
# as the worker sets them (on from 128x128). The shared 16-wide ResNet at 32 and 224 px (through a copy of its input
# spec), the face encoder at 150 and MobileNetV2 at 224. Prints a Markdown table; Encoder.Layout's default comes from it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DECREE_SHARED:-$ROOT/../shared}"
OUT="${1:-$ROOT/bench-out/channels-last}"
mkdir -p "$OUT/models"
point() { # name model.pt huge-pages(0|1)
  for layout in CONTIGUOUS CHANNELS_LAST; do
    if [ "$3" = 1 ]; then export THP_MEM_ALLOC_ENABLE=1; else unset THP_MEM_ALLOC_ENABLE; fi
    "$ROOT/decree" bench "$2" --steps 10 --floor-iterations 3 --layout "$layout" --out "$OUT/$1-$layout.json" > /dev/null 2>&1 \
      || echo "bench of $1 ($layout) failed" >&2
  done
  unset THP_MEM_ALLOC_ENABLE
}
for side in 32 224; do
  ln -sf "$SHARED/architectures/resnet18_w16_32.pt" "$OUT/models/r16-$side.pt"
  echo "{\"inputSize\":[$side,$side],\"valueRange\":[0,1],\"mean\":null,\"std\":null}" > "$OUT/models/r16-$side.json"
done
point r16-32 "$OUT/models/r16-32.pt" 0
point r16-224 "$OUT/models/r16-224.pt" 1
point face-150 "$SHARED/encoders/face_resnet_150.pt" 1
point mobilenet-224 "$SHARED/encoders/mobilenet_v2_224.pt" 1
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
print("| encoder | input | ms/image-pass contiguous | channels-last | ratio | encoder fwd+bwd ms, contiguous | channels-last | RSS MB, contiguous | channels-last |")
print("|---|---|---|---|---|---|---|---|---|")
for name, enc, side in [("r16-32", "ResNet-18 w16", 32), ("r16-224", "ResNet-18 w16", 224), ("face-150", "face ResNet", 150), ("mobilenet-224", "MobileNetV2", 224)]:
    try:
        a, b = (json.load(open(os.path.join(out, f"{name}-{l}.json"))) for l in ("CONTIGUOUS", "CHANNELS_LAST"))
        print(f"| {enc} | {side}x{side} | {a['msPerImagePass']:.2f} | {b['msPerImagePass']:.2f} | {a['msPerImagePass'] / b['msPerImagePass']:.2f} "
              f"| {a['msEncoderForwardBackward']:.0f} | {b['msEncoderForwardBackward']:.0f} | {a['rssMbAtLastStep']} | {b['rssMbAtLastStep']} |")
    except (OSError, KeyError) as e:
        print(f"| {enc} | {side}x{side} | – | – | ({e}) | | | | |")
PY
