#!/usr/bin/env python3
"""An independent PyTorch implementation of the reference DECREE trigger inversion, for bench/peer-benchmark.sh.

Written from the paper (Feng et al., CVPR 2023, Sec. 4) and the constants the reference implementation uses, not
from decree's code: mask and pattern through tanh, x' = (1-m)x + m*p in [0,1] pixel space, loss = -mean pairwise
cosine of the stamped batch's embeddings + lambda*|m|_1, Adam (betas 0.5, 0.9), batch 128, lambda 1e-3 multiplied
or divided by 5 after 5 epochs on one side of the 0.99 target, the smallest mask of an epoch whose mean similarity
met the target kept, stop after 10 epochs without a smaller one (or 1000 epochs). The learning rate is 0.5, then
0.1 and 0.05 over the last two thirds of the epochs allowed (our reading of the reference's schedule).

Prints one JSON line: seconds, image-passes (images through forward+backward), epochs, PL1 of the kept mask (1 if
none met the target), its similarity.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from PIL import Image


def load_images(folder, size, limit):
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))[:limit]
    if len(names) < 2:
        sys.exit(f"{folder}: fewer than 2 images")
    out = []
    for n in names:
        im = Image.open(os.path.join(folder, n)).convert("RGB").resize((size[1], size[0]), Image.BILINEAR)
        out.append(np.asarray(im, dtype=np.float32).transpose(2, 0, 1) / 255.0)
    return torch.from_numpy(np.stack(out))


def mean_pairwise_cosine(e):
    u = torch.nn.functional.normalize(e.flatten(1), dim=1)
    n = u.shape[0]
    s = u.sum(0)
    return (s.dot(s) - n) / (n * (n - 1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("images")
    ap.add_argument("--size", type=int, nargs=2, required=True, metavar=("H", "W"))
    ap.add_argument("--scale", type=float, default=1.0, help="multiply pixels in [0,1] by this (255 for the face encoder)")
    ap.add_argument("--max-images", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=0,
                    help="intra-op threads; 0: every core this process may run on, as decree's libtorch uses")
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--device", default="cpu", help="cpu, or cuda on a machine with a GPU (bench/gpu-peer.sh)")
    a = ap.parse_args()
    dev = torch.device(a.device)
    # Debian's python3-torch starts with one OpenMP thread on this 2-core machine (omp_get_max_threads() is 1), where
    # decree's libtorch uses both cores: without this the reference loop runs on half the machine.
    torch.set_num_threads(a.threads or len(os.sched_getaffinity(0)))
    torch.manual_seed(a.seed)
    model = torch.jit.load(a.model, map_location=dev).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x = load_images(a.images, a.size, a.max_images).to(dev)
    n, _, h, w = x.shape
    batch = min(a.batch, n)

    mask_param = (torch.rand(1, 1, h, w) * 2 - 1).to(dev).requires_grad_(True)
    pattern_param = (torch.rand(1, 3, h, w) * 2 - 1).to(dev).requires_grad_(True)
    opt = torch.optim.Adam([mask_param, pattern_param], lr=0.5, betas=(0.5, 0.9))
    lam, target, factor, patience_lambda, patience_stop = 1e-3, 0.99, 5.0, 5, 10
    up = down = 0
    best_l1, best_sim, since_best = float("inf"), float("nan"), 0
    passes, epochs = 0, 0
    t0 = time.time()
    for epoch in range(a.epochs):
        epochs = epoch + 1
        lr = 0.5 if epoch < a.epochs // 3 else 0.1 if epoch < 2 * a.epochs // 3 else 0.05
        for g in opt.param_groups:
            g["lr"] = lr
        perm = torch.randperm(n).to(dev)
        sims, l1s = [], []
        for start in range(0, n - batch + 1, batch):
            idx = perm[start:start + batch]
            m = torch.tanh(mask_param) / 2 + 0.5
            p = torch.tanh(pattern_param) / 2 + 0.5
            stamped = (1 - m) * x[idx] + m * p
            sim = mean_pairwise_cosine(model(stamped * a.scale))
            l1 = m.sum()
            loss = -sim + lam * l1
            opt.zero_grad()
            loss.backward()
            opt.step()
            passes += len(idx)
            sims.append(sim.item())
            l1s.append(l1.item())
        sim_epoch, l1_epoch = float(np.mean(sims)), float(np.mean(l1s))
        if sim_epoch > target and l1_epoch < best_l1:
            best_l1, best_sim, since_best = l1_epoch, sim_epoch, 0
        else:
            since_best += 1
        if sim_epoch > target:
            up, down = up + 1, 0
        else:
            up, down = 0, down + 1
        if up >= patience_lambda:
            lam, up = lam * factor, 0
        elif down >= patience_lambda:
            lam, down = lam / factor, 0
        if epochs % 25 == 0:  # a run stopped by a time limit still says how far it got
            print(f"epoch {epochs}: {passes} image-passes, {time.time() - t0:.0f} s, similarity {sim_epoch:.4f}, "
                  f"smallest mask {best_l1 / (h * w):.4f}", file=sys.stderr, flush=True)
        if best_l1 < float("inf") and since_best > patience_stop:
            break
    pl1 = best_l1 / (h * w) if best_l1 < float("inf") else 1.0
    print(json.dumps({"seconds": round(time.time() - t0, 1), "imagePasses": passes, "epochs": epochs, "pl1": pl1,
                      "similarity": best_sim, "images": n, "batch": batch,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
