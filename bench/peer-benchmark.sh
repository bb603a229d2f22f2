#!/usr/bin/env bash
# Side by side: decree's default scan and an independent PyTorch implementation of the reference DECREE loop
# (bench/peer_decree.py, the reference's constants), on the same TorchScript encoders and shadow images, one after
# the other (never both at once: two torch processes on 2 cores thrash). Prints a Markdown table: seconds to verdict,
# image-passes and PL1 of each side, and decree's ratios.
#   bench/peer-benchmark.sh [ZOO_DIR] [--with-mobilenet]
# ZOO_DIR (default bench-out/zoo-full, from bench/build-zoo.sh) supplies a clean and a trojaned 32x32 encoder with
# their test images; ../shared's face encoder on its faces when present; --with-mobilenet adds ../shared's MobileNetV2 on
# the photos (about an hour for decree's default search on 2 cores, 8 min with DECREE_SCAN_ARGS="--search lean"; the
# reference loop 8 min on both cores).
# DECREE_SCAN_ARGS passes search settings to decree's side, e.g. DECREE_SCAN_ARGS="--search fast".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZOO="$ROOT/bench-out/zoo-full" MOBILENET=0
for a in "$@"; do
  case "$a" in
    --with-mobilenet) MOBILENET=1 ;;
    *) ZOO="$a" ;;
  esac
done
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# Debian's interpreter, where apt puts python3-torch (a python3 earlier on PATH, say pyenv's, would not see it).
PY=/usr/bin/python3
"$PY" -c 'import torch, PIL' 2>/dev/null || { as_root apt-get update -qq && as_root apt-get install -y -qq python3-torch python3-pil; }
SHARED="${DECREE_SHARED:-$ROOT/../shared}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

runs=()
for m in simclr-r16-fmnist bad-r16-fmnist-white10-br bad-r16-fmnist-white3-br; do
  [ -f "$ZOO/encoders/$m.pt" ] && runs+=("$ZOO/encoders/$m.pt|$ZOO/images/fashion-mnist-test|32 32|1")
done
# The real face encoder takes pixels in [0,255] (its sidecar's valueRange): the peer scales, decree reads the sidecar.
[ -f "$SHARED/encoders/face_resnet_150.pt" ] && runs+=("$SHARED/encoders/face_resnet_150.pt|$SHARED/images/faces|150 150|255")
[ "$MOBILENET" = 1 ] && runs+=("$SHARED/encoders/mobilenet_v2_224.pt|$SHARED/images/photos|224 224|1")
[ ${#runs[@]} -gt 0 ] || { echo "no encoders: build the zoo first (bench/build-zoo.sh) or pass --with-mobilenet" >&2; exit 4; }

# ms per image-pass: what each side's libtorch build and batches make of a pass (the fair figure is image-passes).
echo "| encoder | decree s | peer s | decree image-passes | peer image-passes | decree PL1 (batch PL1) | peer PL1 | time ratio | passes ratio | ms/pass decree, peer (threads) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${runs[@]}"; do
  IFS='|' read -r model images size scale <<< "$r"
  name="$(basename "$model" .pt)"
  # Both sides on transparent huge pages from 128x128 up, as the worker runs them (its huge-pages-from-pixels default,
  # 16384; docs/detector.md: 4-6x faster at 224 px, 2x slower at 32 px); unless the caller set THP_MEM_ALLOC_ENABLE.
  read -r h w <<< "$size"
  thp="${THP_MEM_ALLOC_ENABLE:-$([ $((h * w)) -ge 16384 ] && echo 1 || echo 0)}"
  THP_MEM_ALLOC_ENABLE=$thp "$ROOT/decree" scan "$model" --images "$images" --json --out "$OUT/$name" ${DECREE_SCAN_ARGS:-} > "$OUT/$name.decree.json" || [ $? -eq 1 ]
  THP_MEM_ALLOC_ENABLE=$thp "$PY" "$ROOT/bench/peer_decree.py" "$model" "$images" --size $size --scale "$scale" > "$OUT/$name.peer.json"
  python3 - "$name" "$OUT/$name.decree.json" "$OUT/$name.peer.json" <<'PY'
import json, sys
name, d, p = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
batch = d.get("acceptance", {}).get("batchPl1", d["pl1Norm"])
print(f"| {name} | {d['seconds']:.0f} | {p['seconds']:.0f} | {d['imagePasses']} | {p['imagePasses']} | "
      f"{d['pl1Norm']:.4f} ({batch:.4f}) | {p['pl1']:.4f} | {d['seconds'] / p['seconds']:.2f} | {d['imagePasses'] / p['imagePasses']:.2f} | "
      f"{1000 * d['seconds'] / d['imagePasses']:.1f}, {1000 * p['seconds'] / p['imagePasses']:.1f} ({p.get('threads', '?')}) |")
PY
done
