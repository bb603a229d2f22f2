#!/usr/bin/env bash
# Replays every trigger a zoo evaluation recovered (decree replay) on the scan's own shadow images and
# on images the scan never saw, to see which recovered triggers carry over.
#   bench/replay-zoo.sh [ZOO_DIR] [EVAL_DIR]      (defaults: bench-out/zoo-full, ZOO_DIR/eval)
# Unseen images: for the 32x32 encoders the zoo's attacker images (training split; the scans used the
# test split), for MobileNetV2 natural photographs from Debian's opencv-doc that are not among
# ../shared/images/photos; the face encoders have none (all 54 faces are the shadow set).
# Result: EVAL_DIR/replay.md. Forward passes only: about 3 min on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZOO="${1:-$ROOT/bench-out/zoo-full}"
EVAL="${2:-$ZOO/eval}"
D="$ROOT/decree"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
command -v jq >/dev/null || { as_root apt-get update -qq && as_root apt-get install -y -qq jq; }

HELD="$ZOO/images/photos-unseen"
if [ ! -d "$HELD" ] && jq -e 'any(.encoders[]; .images | endswith("/photos"))' "$ZOO/zoo.json" >/dev/null; then
  SRC=/usr/share/doc/opencv-doc/examples/data
  [ -d "$SRC" ] || { as_root apt-get update -qq && as_root apt-get install -y -qq opencv-doc; }
  mkdir -p "$HELD"
  # Camera photographs only (no charts, logos, renders, depth maps or text), none of them in ../shared/images/photos.
  for f in board.jpg box_in_scene.png ela_original.jpg graf1.png graf3.png licenseplate_motion.jpg \
           left01.jpg left05.jpg left09.jpg right03.jpg right12.jpg; do
    cp "$SRC/$f" "$HELD/"
  done
fi

{
  echo "# Recovered triggers replayed (\`bench/replay-zoo.sh\`)"
  echo
  echo "Similarity of the stamped images with the trigger each scan of \`$(basename "$EVAL")\` recovered,"
  echo "read back from its evidence PNGs: on the scan's own shadow images, and on images the scan never saw."
  echo "Each row uses the measure its scan optimised: the plain cosine (the default), or the centred one"
  echo "for a scan run with --center (marked \"centred\")."
  echo
  echo "| model | label | PL1 | shadow images | similarity there | unseen images | similarity there |"
  echo "|---|---|---|---|---|---|---|"
  jq -c '.encoders[]' "$ZOO/zoo.json" | while read -r e; do
    model="$(jq -r .model <<<"$e")"; label="$(jq -r .label <<<"$e")"; images="$(jq -r .images <<<"$e")"
    name="$(basename "$model" .pt)"; scan="$EVAL/scans/$name"
    case "$images" in
      */fashion-mnist-test) unseen="$ZOO/images/fashion-mnist-attack" ;;
      */mnist-test) unseen="$ZOO/images/mnist-attack" ;;
      */photos) unseen="$HELD" ;;
      *) unseen="" ;;
    esac
    [ -n "$unseen" ] && [ ! -d "$unseen" ] && unseen=""   # e.g. a zoo built without attacker images
    if [ ! -d "$scan" ]; then
      echo "| $name | $label | – | not scanned in $(basename "$EVAL") | | | |"; continue
    fi
    if [ ! -f "$scan/mask.png" ]; then
      echo "| $name | $label | – | no trigger reached the target | | | |"; continue
    fi
    r="$("$D" replay "$ZOO/$model" --scan "$scan" --images "$ZOO/$images" ${unseen:+"$unseen"} --json)"
    key=plainSimilarity; mark=""
    if jq -e '.config.centerEmbeddings' "$scan/report.json" >/dev/null; then key=similarity; mark=" (centred)"; fi
    own="$(jq -r --arg k "$key" '.replays[0] | "\(.count) | \(.[$k]*10000|round/10000)"' <<<"$r")$mark"
    other="– | –"
    [ -n "$unseen" ] && other="$(jq -r --arg k "$key" '.replays[1] | "\(.count) ('"$(basename "$unseen")"') | \(.[$k]*10000|round/10000)"' <<<"$r")$mark"
    echo "| $name | $label | $(jq -r '.pl1*10000|round/10000' <<<"$r") | $own | $other |"
  done
} > "$EVAL/replay.md"
cat "$EVAL/replay.md"
