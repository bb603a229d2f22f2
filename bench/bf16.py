#!/usr/bin/python3
"""An encoder's TorchScript archive with its weights in bfloat16 and a float32 interface (issue 15, item 3).

DJL 0.36 cannot cast a loaded TorchScript module's weights (PtSymbolBlock has no to(dtype)), so reduced precision for
the encoder can only be tried on an archive rewritten beforehand: this one's forward casts the float32 input batch to
bfloat16, runs the encoder in bfloat16 and returns its embeddings in float32, so decree's trigger, stamp and cosine stay
float32 and the input gradient flows back through the casts. `decree bench` then times it beside the original.

usage: bench/bf16.py IN.pt OUT.pt   (Debian's python3-torch; the input-spec sidecar IN.json is copied to OUT.json)
"""
import os
import shutil
import sys

import torch


class Bf16(torch.nn.Module):
    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x.to(torch.bfloat16)).to(torch.float32)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1:]
    encoder = torch.jit.load(src, map_location="cpu").eval().to(torch.bfloat16)
    wrapped = torch.jit.script(Bf16(encoder))
    x = torch.rand(2, 3, 32, 32)
    spec = os.path.splitext(src)[0] + ".json"
    if os.path.exists(spec):
        import json
        h, w = json.load(open(spec))["inputSize"]
        x = torch.rand(2, 3, h, w)
        shutil.copy(spec, os.path.splitext(dst)[0] + ".json")
    with torch.no_grad():
        full = torch.jit.load(src, map_location="cpu").eval()(x)
        half = wrapped(x)
    cos = torch.nn.functional.cosine_similarity(full.flatten(1), half.flatten(1)).min().item()
    wrapped.save(dst)
    print("%s: bfloat16 weights, float32 in and out; embeddings' cosine to float32's: %.4f" % (dst, cos))


if __name__ == "__main__":
    main()
