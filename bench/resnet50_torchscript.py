#!/usr/bin/env python3
"""A ResNet-50-class image encoder as TorchScript, for timing decree on an encoder larger than MobileNetV2.

    python3 bench/resnet50_torchscript.py pack IMAGES_DIR FILE     # here (PIL): 16 images as one uint8 tensor at 224 px
    python3 bench/resnet50_torchscript.py build OUT_DIR FILE       # there: the encoder, its statistics taken on FILE

writes OUT_DIR/resnet50_224.pt (bottleneck ResNet-50 at 224x224, the classifier removed: a 2048-d embedding; about 4.1
GFLOPs a forward, 13x MobileNetV2's) and its input spec OUT_DIR/resnet50_224.json. Its weights are random (seed 0):
nothing is downloaded, and a timing or a memory figure does not depend on what the weights learned, a verdict does (so
none is read from it). Its BatchNorm statistics, and a last BatchNorm that centres the embedding, are taken on the packed
images, as a trained encoder's were on its data: without them a random ResNet maps every photo to nearly one point
(plain cosine 0.996, above decree's 0.99 target) and a scan would stop at once. Written here rather than taken from
torchvision, which the lent GPU machine may lack (and PIL with it: hence the packing).
"""
import json
import os
import sys

import torch
from torch import nn


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride):
        super().__init__()
        cout = width * 4
        self.body = nn.Sequential(
            nn.Conv2d(cin, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True),
            nn.Conv2d(width, cout, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = nn.Identity() if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.body(x) + self.short(x))


class ResNet50(nn.Module):
    def __init__(self):
        super().__init__()
        layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
        cin = 64
        for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(blocks):
                layers.append(Bottleneck(cin, width, stride if i == 0 else 1))
                cin = width * 4
        self.features = nn.Sequential(*layers)
        self.register_buffer("mean", torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))
        self.centre = nn.BatchNorm1d(2048, affine=False)

    def forward(self, x):
        f = nn.functional.adaptive_avg_pool2d(self.features((x - self.mean) / self.std), 1)
        return self.centre(torch.flatten(f, 1))


def pack(images, file):
    from PIL import Image
    # 16 are enough for the statistics, and the lent machine takes 64 MiB of files in all
    names = sorted(n for n in os.listdir(images) if n.lower().endswith((".jpg", ".jpeg", ".png")))[:16]
    x = torch.stack([torch.frombuffer(bytearray(Image.open(os.path.join(images, n)).convert("RGB").resize((224, 224))
                                                 .tobytes()), dtype=torch.uint8).view(224, 224, 3).permute(2, 0, 1)
                     for n in names])
    torch.save(x, file)
    print("%s: %d images" % (file, len(names)))


def build(out, file):
    os.makedirs(out, exist_ok=True)
    images = torch.load(file).float() / 255
    torch.manual_seed(0)
    model = ResNet50()
    model.train()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.momentum = None  # a cumulative average over the batches below
        for _ in range(2):
            model(images)
    model.eval()
    scripted = torch.jit.script(model)
    scripted.save(os.path.join(out, "resnet50_224.pt"))
    with open(os.path.join(out, "resnet50_224.json"), "w") as f:
        json.dump({"inputSize": [224, 224], "valueRange": [0, 1], "mean": None, "std": None}, f)
    with torch.no_grad():
        e = nn.functional.normalize(scripted(images), dim=1)
    n = e.shape[0]
    print("resnet50_224.pt: %d parameters, embedding %d-d, finite %s, mean cosine between the images %.3f" % (
        sum(p.numel() for p in model.parameters()), e.shape[1], bool(torch.isfinite(e).all()),
        ((e @ e.t()).sum().item() - n) / (n * n - n)))


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("pack", "build"):
        sys.exit("usage: resnet50_torchscript.py pack IMAGES_DIR FILE | build OUT_DIR FILE")
    (pack if sys.argv[1] == "pack" else build)(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
