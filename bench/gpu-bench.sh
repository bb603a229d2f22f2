#!/usr/bin/env bash
# decree's scans and the reference DECREE loop (bench/peer_decree.py) on a lent GPU, for issue 15's GPU figures.
# The lent machine has a CUDA PyTorch under python3 but no JVM, fetches nothing and takes at most 64 MiB of files, far
# below DJL's CUDA libtorch; so decree runs there on a carried Java runtime (jlink) against that machine's own libtorch
# (DJL's PYTORCH_LIBRARY_PATH), through DJL's prebuilt cu128 JNI, or, if that does not load, one compiled there from
# DJL's sources against the local torch headers.
#   bench/gpu-bench.sh stage ZOO [SHARED]   here: a Java runtime, decree-cli's jars (no CPU libtorch), a clean 32-px zoo
#                                           encoder, MobileNetV2 (with GPU_BENCH_PAIRS=1 two fine-tunes of that zoo
#                                           encoder instead), their shadow images and DJL's JNI sources into
#                                           gpu-carry/ (ignored by git, ~60 MB); needs `mvn install` and ../shared
#   bench/gpu-bench.sh run                  there (the device tool's run, carry ["gpu-carry"]): decree's lean and default
#                                           scans on the GPU, their window probes apart and as a GPU runs them (together),
#                                           with the GPU's peak memory, and, for the 32-px
#                                           encoder, on that machine's CPU; the reference loop on cuda; a Markdown table
#                                           to $OUT/gpu-bench.md
# Settings for run: GPU_BENCH_BUDGET_S (default 420): no new run starts after it; GPU_BENCH_DEVICE (default gpu);
# GPU_BENCH_ONLY: a regex over "ENCODER DEVICE SEARCH|peer|bench" choosing the runs (default: all);
# GPU_BENCH_SCAN_ARGS: more arguments for every decree scan (--no-stop-at-verdict: a whole search, for its seconds).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARRY="$ROOT/gpu-carry"
usage() { echo "usage: $0 stage ZOO [SHARED] | $0 run" >&2; exit 4; }
[ $# -ge 1 ] || usage

stage() {
  local zoo="$1" shared="$2" djl
  rm -rf "$CARRY" && mkdir -p "$CARRY/images" "$CARRY/lib" "$CARRY/jni/include" "$CARRY/syslib"
  cp "$zoo/encoders/simclr-r16-fmnist.pt" "$zoo/encoders/simclr-r16-fmnist.json" "$CARRY/" 2>/dev/null \
    || cp "$zoo/encoders/simclr-r16-fmnist.pt" "$CARRY/"
  cp -r "$zoo/images/fashion-mnist-test" "$CARRY/images/"
  cp -r "$shared/images/photos" "$CARRY/images/"
  if [ -n "${GPU_BENCH_PAIRS:-}" ]; then
    # Two fine-tunes of simclr-r16-fmnist (a BadEncoder trojan and its clean control) for differential scans against
    # it, instead of MobileNetV2 and the ResNet-50's photos: the machine takes 64 MiB in all.
    local f; for f in bad-r16-fmnist-white3-br ctl-r16-fmnist; do cp "$zoo/encoders/$f.pt" "$zoo/encoders/$f.json" "$CARRY/"; done
  else
    cp "$shared/encoders/mobilenet_v2_224.pt" "$shared/encoders/mobilenet_v2_224.json" "$CARRY/"
    # The photos at 224 px as one tensor, for the ResNet-50 built there (bench/resnet50_torchscript.py: no PIL there).
    # (Debian's python3-torch and python3-pil, which a python3 first on the PATH may lack)
    /usr/bin/python3 "$ROOT/bench/resnet50_torchscript.py" pack "$shared/images/photos" "$CARRY/photos224.pt"
  fi
  cp "$ROOT/decree-cli/target/decree-cli.jar" "$CARRY/"
  find "$ROOT/decree-cli/target/lib" -name '*.jar' ! -name 'pytorch-native-*' -exec cp {} "$CARRY/lib/" \;
  # The modules decree-cli needs (java.desktop: ImageIO reads the shadow images), packed: the machine takes 64 MiB.
  local tmp; tmp="$(mktemp -d)"
  jlink --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.sql,jdk.unsupported \
    --strip-debug --no-man-pages --no-header-files --compress=2 --output "$tmp/jre"
  tar -C "$tmp" -cJf "$CARRY/jre.txz" jre && rm -rf "$tmp"
  # Debian's java.desktop reads JPEGs through the system's libjpeg (and colour profiles through lcms2).
  cp -L /lib/x86_64-linux-gnu/libjpeg.so.62 /lib/x86_64-linux-gnu/liblcms2.so.2 "$CARRY/syslib/"
  # The JNI's sources (DJL, Apache-2.0; build input only, never committed) for the fallback build, with the header
  # javac writes from the engine's PyTorchLibrary (its natives are those of the pytorch-engine jar decree uses).
  djl="$(ls -d /work/.mirror/deepjavalibrary+djl/repo 2>/dev/null || true)"
  if [ -n "$djl" ]; then
    git -C "$djl" archive HEAD engines/pytorch/pytorch-native/src/main/native api/src/main/native/djl \
      engines/pytorch/pytorch-engine/src/main/java | tar -x -C "$CARRY/jni"
    javac -cp "$CARRY/lib/*" -sourcepath "$CARRY/jni/engines/pytorch/pytorch-engine/src/main/java" -h "$CARRY/jni/include" \
      -d "$(mktemp -d)" "$CARRY/jni/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
    rm -rf "$CARRY/jni/engines/pytorch/pytorch-engine"
    local jh; jh="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
    cp "$jh/include/jni.h" "$jh/include/linux/jni_md.h" "$CARRY/jni/include/"
  else
    echo "no DJL mirror: the fallback JNI build will be skipped" >&2
  fi
  du -sh "$CARRY"
}

# Compiles DJL's JNI against the torch under python3 (the fallback when the prebuilt one does not load).
build_jni() {
  local torch="$1" dst="$2" src="$CARRY/jni/engines/pytorch/pytorch-native/src/main/native" b=/tmp/jni-build
  [ -d "$src" ] || { echo "no JNI sources carried" >&2; return 1; }
  mkdir -p "$b"
  local flags=(-O2 -fPIC -std=c++17 -D_GLIBCXX_USE_CXX11_ABI="$(python3 -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
    -DUSE_CUDA -I"$CARRY/jni/include" -I"$CARRY/jni/api/src/main/native" -I"$torch/include"
    -I"$torch/include/torch/csrc/api/include" -w)
  local inc; for inc in /usr/local/cuda/include $(find "$(dirname "$torch")/nvidia" -maxdepth 3 -name include -type d 2>/dev/null); do
    flags+=(-I"$inc")
  done
  ls "$src"/*.cc | xargs -P "$(nproc)" -I{} sh -c 'g++ "$@" -c {} -o '"$b"'/$(basename {} .cc).o' _ "${flags[@]}" || return 1
  g++ -shared -o "$dst" "$b"/*.o -Wl,--as-needed -L"$torch/lib" -L/tmp/gpu-bench/cudart -ltorch -ltorch_cpu -ltorch_cuda \
    -lc10 -lc10_cuda -lcudart -Wl,-rpath,"$torch/lib"
}

run() {
  [ -d "$CARRY" ] || { echo "no gpu-carry/: run '$0 stage ZOO' here first and carry it" >&2; exit 4; }
  local out="${OUT:-$ROOT/bench-out/gpu}" dev="${GPU_BENCH_DEVICE:-gpu}" budget="${GPU_BENCH_BUDGET_S:-420}"
  mkdir -p "$out" /tmp/gpu-bench
  local t0=$SECONDS log="$out/gpu-bench.log"
  exec > >(tee -a "$log") 2>&1
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  nproc
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'  || true
  tar -xJf "$CARRY/jre.txz" -C /tmp/gpu-bench
  local java=/tmp/gpu-bench/jre/bin/java torch
  torch="${GPU_BENCH_TORCH:-$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')}"
  # DJL finds CUDA through an unversioned libcudart (JNA); pip's CUDA has only libcudart.so.N.
  mkdir -p /tmp/gpu-bench/cudart
  local rt; rt="$(find "$(dirname "$torch")/nvidia" -name 'libcudart.so*' 2>/dev/null | head -1 || true)"
  [ -n "$rt" ] && ln -sf "$rt" /tmp/gpu-bench/cudart/libcudart.so && ln -sf "$rt" "/tmp/gpu-bench/cudart/$(basename "$rt")"
  export LD_LIBRARY_PATH="/tmp/gpu-bench/cudart:$CARRY/syslib:$torch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export PYTORCH_LIBRARY_PATH="$torch/lib" PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR="${GPU_BENCH_FLAVOR:-cu128}"
  export ENGINE_CACHE_DIR=/tmp/gpu-bench/engine DJL_CACHE_DIR=/tmp/gpu-bench/djl
  # A launcher on the PATH (timeout runs programs, not shell functions).
  mkdir -p /tmp/gpu-bench/bin
  printf '#!/bin/sh\nexec %s -Xmx8g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "%s/decree-cli.jar:%s/lib/*" io.decree.cli.Decree "$@"\n' \
    "$java" "$CARRY" "$CARRY" > /tmp/gpu-bench/bin/decree
  chmod +x /tmp/gpu-bench/bin/decree
  export PATH="/tmp/gpu-bench/bin:$PATH"
  local fm="$CARRY/images/fashion-mnist-test" ph="$CARRY/images/photos" s32="$CARRY/simclr-r16-fmnist.pt" mnv2="$CARRY/mobilenet_v2_224.pt"
  local jni="$ENGINE_CACHE_DIR/pytorch/2.7.1-$PYTORCH_FLAVOR-linux-x86_64/0.36.0-libdjl_torch.so" built=0
  rebuild() { # the prebuilt JNI failed to load or lacks a symbol of this torch: compile one here, once
    (( built == 0 )) || return 1
    built=1
    echo "== compiling DJL's JNI against torch $(python3 -c 'import torch; print(torch.__version__)')"
    mkdir -p "$(dirname "$jni")" && rm -f "$jni"
    build_jni "$torch" "$jni" && echo "== built in $((SECONDS - t0)) s"
  }
  linkage() { grep -q -E 'symbol lookup error|UnsatisfiedLinkError|undefined symbol' "$1"; }
  echo "== smoke: decree bench on $dev, DJL's prebuilt JNI"
  if ! timeout 180 decree bench "$s32" --device "$dev" --images "$fm" --steps 5 --floor-iterations 2 --out "$out/smoke.json" \
      2>/tmp/gpu-bench/smoke.log; then
    tail -c 3000 /tmp/gpu-bench/smoke.log
    rebuild && { timeout 120 decree bench "$s32" --device "$dev" --images "$fm" --steps 5 --floor-iterations 2 \
      --out "$out/smoke.json" || echo "== smoke failed again"; }
  fi
  local table="$out/gpu-bench.md"
  echo "| encoder | side | device | search | probe images a pass | seconds | image-passes | PL1 | verdict | GPU MiB peak |" > "$table"
  echo "|---|---|---|---|---|---|---|---|---|---|" >> "$table"
  local only="${GPU_BENCH_ONLY:-.}" # a regex over "NAME DEVICE SEARCH" (peer runs: "NAME DEVICE peer")
  scan() { # scan NAME MODEL IMAGES DEVICE SEARCH
    [[ "$1 $4 $5" =~ $only ]] || return 0
    [ -f "$2" ] || { echo "== skipped $1 (not staged)"; return 0; }
    if (( SECONDS - t0 > budget )); then echo "== skipped $1 $4 $5 (budget)"; return; fi
    local d="/tmp/gpu-bench/scans/$1-$4-$5"; rm -rf "$d"
    echo "== decree scan $1 --device $4 --search $5"
    mkdir -p "$d"
    local ok=0 sampler=""
    # The GPU's memory in use, sampled every 100 ms while the scan runs (the whole process: CUDA context, the caching
    # allocator's pool): what a worker's GPU must hold, the joint probe step's activations included.
    if [[ "$4" == gpu ]] && command -v nvidia-smi >/dev/null; then
      nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 > "$d/gpu-mem.log" 2>/dev/null &
      sampler=$!
    fi
    # SEARCH is a preset as the CLI runs it (its window probes by device: together on a GPU since stop 44), or
    # PRESET-apart (--probes-together=0) or PRESET-together (--probes-together, 100 images a pass)
    local search=(--search "${5%-*}" ${GPU_BENCH_SCAN_ARGS:-})
    case "$5" in *-apart) search+=(--probes-together=0) ;; *-together) search+=(--probes-together) ;; esac
    local rc=0
    timeout 240 decree scan "$2" --images "$3" --device "$4" "${search[@]}" --out "$d" >/dev/null 2>"$d/stderr.log" || rc=$?
    if (( rc > 1 )) && linkage "$d/stderr.log" && rebuild; then
      rc=0; timeout 240 decree scan "$2" --images "$3" --device "$4" "${search[@]}" --out "$d" >/dev/null 2>"$d/stderr.log" || rc=$?
    fi
    (( rc <= 1 )) && ok=1
    if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
    local peak=""; [ -s "$d/gpu-mem.log" ] && peak="$(sort -n "$d/gpu-mem.log" | tail -1)"
    if (( ok == 1 )); then
      python3 - "$d/report.json" "$1" "$4" "$5" "$peak" >> "$table" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("| %s | decree | %s | %s | %s | %.1f | %s | %.4f | %s | %s |" % (sys.argv[2], sys.argv[3], sys.argv[4],
      (r.get("config") or {}).get("probesTogetherImages", "apart"), r["seconds"],
      format(r.get("imagePasses", 0), ","), r["pl1Norm"], r["verdict"], sys.argv[5]))
PY
      tail -1 "$table"
      # each phase's steps, image-passes and seconds (a probes' fallback shows here as its own phase)
      python3 -c 'import json, sys; print("   phases: " + "; ".join("%s %d steps %d passes %.1f s" % (p["name"], p["steps"], p["imagePasses"], p["seconds"]) for p in json.load(open(sys.argv[1]))["phases"]))' "$d/report.json"
    else echo "| $1 | decree | $4 | $5 | | failed (exit $rc) | | | | $peak |" >> "$table"; tail -c 3000 "$d/stderr.log"; fi
  }
  # A GPU nearly full, for real: another process holds all but FREE_GB of it while the scan runs (GPU_BENCH_ONLY
  # matches "NAME gpu SEARCH-freeNG"). MobileNetV2's lean probes need 10.4 GB together and 2.2 GB apart (stop 44).
  squeezed() { # squeezed NAME MODEL IMAGES SEARCH FREE_GB
    [[ "$1 gpu $4-free$5G" =~ $only ]] || return 0
    [ -f "$2" ] || { echo "== skipped $1 (not staged)"; return 0; }
    python3 - "$5" > /tmp/gpu-bench/holder.log 2>&1 <<'PY' &
import sys, time, torch
free, total = torch.cuda.mem_get_info()
x = torch.empty(max(0, free - int(float(sys.argv[1]) * 2**30)), dtype=torch.uint8, device="cuda")
print("holding %d MiB of %d; free now %d MiB" % (x.numel() >> 20, total >> 20, torch.cuda.mem_get_info()[0] >> 20), flush=True)
time.sleep(900)
PY
    local holder=$! i
    for i in $(seq 1 60); do grep -q holding /tmp/gpu-bench/holder.log && break; sleep 1; done
    cat /tmp/gpu-bench/holder.log
    scan "$1-free$5G" "$2" "$3" gpu "$4"
    kill "$holder" 2>/dev/null || true; wait "$holder" 2>/dev/null || true
  }
  # A differential scan as the pipeline runs one for a model with a base: the base alone first (the whole search, the
  # ratio's yardstick), then the contrasted lean search; seconds from launch to verdict, both scans included.
  pair() { # pair NAME MODEL BASE IMAGES DEVICE
    [[ "$1 $5 pair" =~ $only ]] || return 0
    [ -f "$2" ] || return 0
    if (( SECONDS - t0 > budget )); then echo "== skipped pair $1 $5 (budget)"; return; fi
    local d="/tmp/gpu-bench/scans/$1-$5-pair" t=$SECONDS rc=0; rm -rf "$d"; mkdir -p "$d"
    echo "== decree scan $1 --baseline $(basename "$3") --device $5"
    timeout 300 decree scan "$2" --baseline "$3" --images "$4" --device "$5" --out "$d" >/dev/null 2>"$d/stderr.log" || rc=$?
    if (( rc <= 1 )); then
      python3 - "$d" "$1" "$5" "$((SECONDS - t))" >> "$table" <<'PY'
import json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "report.json")))
b = json.load(open(os.path.join(d, "baseline", "report.json")))
print("| %s | decree, against its base | %s | base alone: default, then lean contrasted | %s | %d s in all (base %.1f s, model %.1f s) | %s + %s | %.4f (%.2fx) | %s | |" % (
    sys.argv[2], sys.argv[3], (r.get("config") or {}).get("probesTogetherImages", "apart"), int(sys.argv[4]), b["seconds"],
    r["seconds"], format(b.get("imagePasses", 0), ","), format(r.get("imagePasses", 0), ","), r["pl1Norm"],
    r["decision"]["score"], r["verdict"]))
PY
      tail -1 "$table"
    else echo "| $1 | decree, against its base | $5 | | | failed (exit $rc) | | | | |" >> "$table"; tail -c 3000 "$d/stderr.log"; fi
  }
  peer() { # peer NAME MODEL IMAGES H W DEVICE
    [[ "$1 $6 peer" =~ $only ]] || return 0
    if (( SECONDS - t0 > budget )); then echo "== skipped peer $1 $6 (budget)"; return; fi
    echo "== peer loop $1 on $6"
    local j
    if j=$(timeout 240 python3 "$ROOT/bench/peer_decree.py" "$2" "$3" --size "$4" "$5" --device "$6"); then
      python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("| %s | reference loop | %s | batch 128 | | %.1f | %s | %.4f | | |" % (sys.argv[2], sys.argv[3], r["seconds"], format(r["imagePasses"], ","), r["pl1"]))' "$j" "$1" "$6" >> "$table"
      tail -1 "$table"
    else echo "| $1 | reference loop | $6 | batch 128 | | failed | | | | |" >> "$table"; fi
  }
  # Out of GPU memory on purpose (stop 45): with 6 GB free the probes' joint pass fails and they go on apart; with 1 GB
  # even apart fails, exit 3.
  squeezed mobilenet_v2_224 "$mnv2" "$ph" lean 6
  squeezed mobilenet_v2_224 "$mnv2" "$ph" lean 1
  # A ResNet-50 at 224 px (13x MobileNetV2's FLOPs), built here with random weights (bench/resnet50_torchscript.py):
  # seconds and GPU memory only, its verdict means nothing.
  local r50=/tmp/gpu-bench/r50/resnet50_224.pt
  if [[ "resnet50_224 $dev lean" =~ $only || "resnet50_224 $dev default" =~ $only ]]; then
    python3 "$ROOT/bench/resnet50_torchscript.py" build /tmp/gpu-bench/r50 "$CARRY/photos224.pt" || true
  fi
  if [ -f "$r50" ]; then
    scan resnet50_224 "$r50" "$ph" "$dev" lean-apart
    scan resnet50_224 "$r50" "$ph" "$dev" lean
    scan resnet50_224 "$r50" "$ph" "$dev" default
  fi
  # Differential scans (stop 45; staged with GPU_BENCH_PAIRS=1)
  pair bad-r16-fmnist-white3-br "$CARRY/bad-r16-fmnist-white3-br.pt" "$s32" "$fm" "$dev"
  pair ctl-r16-fmnist "$CARRY/ctl-r16-fmnist.pt" "$s32" "$fm" "$dev"
  pair ctl-r16-fmnist "$CARRY/ctl-r16-fmnist.pt" "$s32" "$fm" cpu
  scan simclr-r16-fmnist "$s32" "$fm" "$dev" lean-apart
  scan mobilenet_v2_224 "$mnv2" "$ph" "$dev" lean-apart
  scan simclr-r16-fmnist "$s32" "$fm" "$dev" lean
  scan mobilenet_v2_224 "$mnv2" "$ph" "$dev" lean
  scan simclr-r16-fmnist "$s32" "$fm" "$dev" default-apart
  scan mobilenet_v2_224 "$mnv2" "$ph" "$dev" default-apart
  # the whole search's probes of 32 images, three to a pass of at most 100 images (uncapped, all 800 in one pass took
  # 75 GB for MobileNetV2 at stop 44)
  scan simclr-r16-fmnist "$s32" "$fm" "$dev" default
  scan mobilenet_v2_224 "$mnv2" "$ph" "$dev" default
  peer simclr-r16-fmnist "$s32" "$fm" 32 32 cuda
  peer mobilenet_v2_224 "$mnv2" "$ph" 224 224 cuda
  echo "== decree bench mobilenet_v2_224 (ms per image-pass)"
  [[ "mobilenet_v2_224 $dev bench" =~ $only ]] && (( SECONDS - t0 <= budget )) && timeout 120 decree bench "$mnv2" --device "$dev" --images "$ph" --steps 20 --out "$out/bench-mnv2.json" || true
  scan simclr-r16-fmnist "$s32" "$fm" cpu lean
  scan mobilenet_v2_224 "$mnv2" "$ph" cpu lean
  tar -C /tmp/gpu-bench -czf "$out/scans.tgz" scans 2>/dev/null || true
  echo "== done in $((SECONDS - t0)) s"
  cat "$table"
}

case "$1" in
  stage) [ $# -ge 2 ] || usage; stage "$2" "${3:-$ROOT/../shared}" ;;
  run) run ;;
  *) usage ;;
esac
