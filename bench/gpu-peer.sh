#!/usr/bin/env bash
# The reference DECREE loop (bench/peer_decree.py) on a lent GPU, for issue 15's GPU figures. decree itself cannot run
# there: the lent machine has Python with a CUDA PyTorch (no JVM listed), fetches nothing, and takes at most 64 MiB of files,
# far below DJL's CUDA libtorch; so this measures the peer loop only, GPU against that machine's own CPU.
#   bench/gpu-peer.sh stage ZOO [SHARED]   here: copies two 32-px zoo encoders, the face encoder, MobileNetV2 and their
#                                          shadow images into gpu-carry/ (ignored by git, ~45 MB)
#   bench/gpu-peer.sh run                  there (the device tool's run, carry ["gpu-carry"]): each encoder on cuda,
#                                          the 32-px ones also on the CPU; a Markdown table to $OUT/gpu-peer.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARRY="$ROOT/gpu-carry"
usage() { echo "usage: $0 stage ZOO [SHARED] | $0 run" >&2; exit 4; }
[ $# -ge 1 ] || usage
case "$1" in
  stage)
    [ $# -ge 2 ] || usage
    ZOO="$2" SHARED="${3:-$ROOT/../shared}"
    rm -rf "$CARRY" && mkdir -p "$CARRY/images"
    cp "$ZOO/encoders/simclr-r16-fmnist.pt" "$ZOO/encoders/bad-r16-fmnist-white10-br.pt" "$CARRY/"
    cp -r "$ZOO/images/fashion-mnist-test" "$CARRY/images/"
    cp "$SHARED/encoders/face_resnet_150.pt" "$SHARED/encoders/mobilenet_v2_224.pt" "$CARRY/"
    cp -r "$SHARED/images/faces" "$SHARED/images/photos" "$CARRY/images/"
    du -sh "$CARRY"
    ;;
  run)
    [ -d "$CARRY" ] || { echo "no gpu-carry/: run '$0 stage ZOO' here first and carry it" >&2; exit 4; }
    OUTDIR="${OUT:-$ROOT/bench-out}"
    mkdir -p "$OUTDIR"
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
    runs=("simclr-r16-fmnist|fashion-mnist-test|32 32|1|cuda cpu"
          "bad-r16-fmnist-white10-br|fashion-mnist-test|32 32|1|cuda cpu"
          "face_resnet_150|faces|150 150|255|cuda"
          "mobilenet_v2_224|photos|224 224|1|cuda")
    {
      echo "| encoder | device | seconds | image-passes | epochs | PL1 |"
      echo "|---|---|---|---|---|---|"
      for r in "${runs[@]}"; do
        IFS='|' read -r name images size scale devices <<< "$r"
        for d in $devices; do
          # shellcheck disable=SC2086 # size is two words
          j=$(python3 "$ROOT/bench/peer_decree.py" "$CARRY/$name.pt" "$CARRY/images/$images" --size $size --scale "$scale" --device "$d")
          python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("| %s | %s | %s | %s | %s | %.4f |" % (sys.argv[2], sys.argv[3], r["seconds"], format(r["imagePasses"], ","), r["epochs"], r["pl1"]))' "$j" "$name" "$d"
        done
      done
    } | tee "$OUTDIR/gpu-peer.md"
    ;;
  *) usage ;;
esac
