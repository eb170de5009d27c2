"""The model issue's acceptance check: a CFCD ResNet-50 checkpoint as the official trainer writes it (pycls names,
SGD state with numpy learning rates, yacs cfg; zip and legacy torch.save formats) gives the same descriptors through
`cfcd extract` (single scale) and through `cfcd import-weights` + `cfcd extract` (multi-scale) as the same network
in PyTorch on the same PNG images.

    /usr/bin/python3 scripts/check_extract_r50.py prepare DIR     # checkpoint, images, PyTorch descriptors
    (cfcd extract ... twice, see check_extract_r50.sh)
    /usr/bin/python3 scripts/check_extract_r50.py compare DIR     # cosine per image, single and multi-scale
"""
import os
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import cfcd_reference as ref

SCALES = [0.3535, 0.5, 0.7071, 1.0, 1.4142]
SIZES = [(150, 200), (192, 256), (240, 180), (171, 171)]


def prepare(folder):
    os.makedirs(folder, exist_ok=True)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    model = ref.CfcdNet(50, 64, 512, 100)
    reference = {k: v.shape for k, v in torchvision.models.resnet50().state_dict().items() if not k.startswith("fc.")}
    assert {k: v.shape for k, v in model.backbone.state_dict().items()} == reference, "not torchvision's ResNet-50"
    ref.randomise(model, generator, [torch.randn(8, 3, 96, 96, generator=generator) for _ in range(2)])
    checkpoint = ref.trained_cfcd_checkpoint(model, 50, torch.randn(4, 3, 96, 96, generator=generator))
    torch.save(checkpoint, os.path.join(folder, "cfcd_r50.pyth"))
    torch.save(checkpoint, os.path.join(folder, "cfcd_r50_legacy.pyth"), _use_new_zipfile_serialization=False)
    images = [ref.structured_image(generator, h, w) for h, w in SIZES]
    with open(os.path.join(folder, "list.txt"), "w") as f:
        for index, image in enumerate(images):
            Image.fromarray(image).save(os.path.join(folder, f"{index}.png"))
            f.write(f"{index}.png\n")
    np.save(os.path.join(folder, "pytorch_single.npy"), np.stack([ref.extract(model, im, [1.0]) for im in images]))
    np.save(os.path.join(folder, "pytorch_multi.npy"), np.stack([ref.extract(model, im, SCALES) for im in images]))


def compare(folder):
    ok = True
    for checkpoint in ["cfcd_r50", "cfcd_r50_legacy"]:
        for mode, threshold in [("single", 0.9999), ("multi", 0.999)]:
            expected = np.load(os.path.join(folder, f"pytorch_{mode}.npy"))
            actual = np.load(os.path.join(folder, f"{checkpoint}_{mode}.npy"))
            cosines = (expected * actual).sum(1) / np.linalg.norm(expected, axis=1) / np.linalg.norm(actual, axis=1)
            verdict = "ok" if cosines.min() > threshold else "FAIL"
            ok &= verdict == "ok"
            print(f"{checkpoint:16s} {mode:6s}: cosine min {cosines.min():.7f}, per image "
                  f"{np.array2string(cosines, precision=7)} (needs > {threshold}) {verdict}")
    return ok


if __name__ == "__main__":
    command, folder = sys.argv[1], sys.argv[2]
    if command == "prepare":
        prepare(folder)
    else:
        sys.exit(0 if compare(folder) else 1)
