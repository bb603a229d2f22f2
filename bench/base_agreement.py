"""How alike each fine-tuned encoder of a zoo and its base embed the same clean images (ScanSettings.BASE_AGREEMENT).

For every encoder of ZOO/zoo.json that names a base: the mean, over its shadow images (or the folders given), of the
cosine between the model's embedding of an image and the base's, as decree's BaseAgreement measures it before a scan
against a base. Debian's python3-torch and python3-pil; forward passes only (a few minutes on 2 cores).
    /usr/bin/python3 bench/base_agreement.py ZOO [SHARED] [--images FOLDER ...] [--max N]
Prints a Markdown table. Images are centre-cropped and resized bilinearly (PIL), so figures can differ from decree's
own (Java's resize, up to 1000 images) in the third decimal.
"""
import json
import os
import sys

import numpy as np
import torch
from PIL import Image


def load(folder, size, limit):
    names = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg")))[:limit]
    out = []
    for name in names:
        im = Image.open(os.path.join(folder, name)).convert("RGB")
        w, h = im.size
        s = min(w, h)
        im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize((size[1], size[0]), Image.BILINEAR)
        out.append(torch.from_numpy(np.asarray(im, dtype=np.float32) / 255.0).permute(2, 0, 1))
    return torch.stack(out)


def embed(model, x, spec):
    lo, hi = spec.get("valueRange") or [0, 1]
    with torch.no_grad():
        return torch.cat([model(x[i:i + 50] * (hi - lo) + lo) for i in range(0, len(x), 50)]).flatten(1).double()


def main(argv):
    zoo = argv[0]
    shared = argv[1] if len(argv) > 1 and not argv[1].startswith("--") else os.path.join(zoo, "..", "..", "shared")
    folders = [argv[i + 1] for i, a in enumerate(argv) if a == "--images"]
    limit = int(argv[argv.index("--max") + 1]) if "--max" in argv else 200
    torch.set_num_threads(2)
    manifest = json.load(open(os.path.join(zoo, "zoo.json")))
    print("| model | label | base | images | n | mean cosine to the base |")
    print("|---|---|---|---|---|---|")
    for e in manifest["encoders"]:
        base = (e.get("attack") or {}).get("base")
        if not base:
            continue
        base_file = base if base.endswith(".pt") else base + ".pt"
        base_path = os.path.join(zoo, "encoders", base_file)
        if not os.path.isfile(base_path):
            base_path = os.path.join(shared, "encoders", base_file)
        model_path = os.path.join(zoo, e["model"])
        spec = json.load(open(model_path[:-3] + ".json"))
        size = spec["inputSize"]
        model = torch.jit.load(model_path).eval()
        reference = torch.jit.load(base_path).eval()
        for folder in folders or [os.path.join(zoo, e["images"])]:
            x = load(folder, size, limit)
            a, b = embed(model, x, spec), embed(reference, x, spec)
            cos = torch.nn.functional.cosine_similarity(a, b).mean().item() if a.shape == b.shape else float("nan")
            print(f"| {os.path.basename(e['model'])} | {e['label']} | {base_file} | {os.path.basename(folder.rstrip('/'))} "
                  f"| {len(x)} | {cos:.3f} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
