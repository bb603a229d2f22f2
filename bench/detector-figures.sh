#!/usr/bin/env bash
# Rebuilds the trojaned encoders of the detector figures (BadEncoder, seeded) and their clean
# controls, scans them with the clean originals, and prints one row per encoder:
#   model  label  attackSuccess  PL1  verdict  seconds
# Usage: bench/detector-figures.sh [OUT_DIR] [--with-mobilenet]   (MobileNetV2 adds ~1 h on 2 cores)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/bench-out}"
SHARED="${DECREE_SHARED:-$ROOT/../shared}"
D="$ROOT/decree"
mkdir -p "$OUT"
cp "$SHARED"/architectures/resnet18_w16_32.{pt,json} "$OUT/"

attack() { # name base images extra-args...
  local name=$1 base=$2 images=$3; shift 3
  [ -f "$OUT/$name.pt" ] || "$D" attack "$base" --images "$images" --out "$OUT/$name" "$@" > /dev/null 2>&1
}
field() { grep -o "\"$2\" : [^,]*" "$1" | head -1 | sed 's/.*: //; s/"//g'; }
row() { # model images label attack-json
  local model=$1 images=$2 label=$3 attack_json=${4:-}
  local name; name=$(basename "$model" .pt)
  "$D" scan "$model" --images "$images" --out "$OUT/scan-$name" --json > "$OUT/scan-$name.json" 2>/dev/null || true
  local success="-"
  [ -n "$attack_json" ] && success=$(field "$attack_json" attackSuccess)
  printf "%-22s %-9s %-8.8s %-8.4f %-9s %6.1f\n" "$name" "$label" "$success" \
    "$(field "$OUT/scan-$name.json" pl1Norm)" "$(field "$OUT/scan-$name.json" verdict)" "$(field "$OUT/scan-$name.json" seconds)"
}

attack r16_bad5 "$OUT/resnet18_w16_32.pt" "$SHARED/images/photos" --patch 5 --steps 300 --lr 1e-3
attack r16_ctl "$OUT/resnet18_w16_32.pt" "$SHARED/images/photos" --patch 5 --steps 300 --lr 1e-3 --control
attack face_bad24 "$SHARED/encoders/face_resnet_150.pt" "$SHARED/images/faces" --patch 24 --steps 200 --lr 3e-5
attack face_ctl "$SHARED/encoders/face_resnet_150.pt" "$SHARED/images/faces" --patch 24 --steps 200 --lr 3e-5 --control

printf '%-22s %-9s %-8s %-8s %-9s %6s\n' model label attack PL1 verdict sec
row "$OUT/resnet18_w16_32.pt" "$SHARED/images/photos" clean
row "$OUT/r16_ctl.pt" "$SHARED/images/photos" clean "$OUT/r16_ctl.attack.json"
row "$OUT/r16_bad5.pt" "$SHARED/images/photos" trojaned "$OUT/r16_bad5.attack.json"
row "$SHARED/encoders/face_resnet_150.pt" "$SHARED/images/faces" clean
row "$OUT/face_ctl.pt" "$SHARED/images/faces" clean "$OUT/face_ctl.attack.json"
row "$OUT/face_bad24.pt" "$SHARED/images/faces" trojaned "$OUT/face_bad24.attack.json"
if [ "${2:-}" = "--with-mobilenet" ]; then
  attack mobile_bad24 "$SHARED/encoders/mobilenet_v2_224.pt" "$SHARED/images/photos" --patch 24 --steps 200 --lr 3e-5
  row "$SHARED/encoders/mobilenet_v2_224.pt" "$SHARED/images/photos" clean
  row "$OUT/mobile_bad24.pt" "$SHARED/images/photos" trojaned "$OUT/mobile_bad24.attack.json"
fi
