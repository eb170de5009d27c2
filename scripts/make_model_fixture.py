"""Writes the golden fixtures of tests/Cfcd.Tests/Fixtures/Modeling with Debian's python3-torch 1.13 and numpy:
tiny networks saved in every checkpoint format cfcd reads (training checkpoints as the official CFCD and pycls
trainers write them), PNG images, and the descriptors PyTorch computes.

    /usr/bin/python3 scripts/make_model_fixture.py tests/Cfcd.Tests/Fixtures/Modeling
"""
import os
import pickle
import sys
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import cfcd_reference as ref

SCALES = [0.3535, 0.5, 0.7071, 1.0, 1.4142]


def main(out):
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    images = [ref.structured_image(generator, h, w) for h, w in [(75, 100), (97, 64), (64, 64)]]
    names = []
    for index, image in enumerate(images):
        name = f"image{index}.png"
        Image.fromarray(image).save(os.path.join(out, name))
        names.append(name)
    with open(os.path.join(out, "images.txt"), "w") as f:
        f.write("".join(f"{name} {index}\n" for index, name in enumerate(names)))
    calibration = [torch.randn(4, 3, 64, 64, generator=generator) for _ in range(3)]

    # A tiny CFCD ResNet-50 (stem width 4, 128 channels out, 24-d descriptor, 10 classes), saved as the official
    # trainer saves it (SGD state after a step, numpy.float64 learning rates, yacs cfg), in both torch.save formats.
    model = ref.CfcdNet(50, 4, 24, 10)
    ref.randomise(model, generator, calibration)
    checkpoint = ref.trained_cfcd_checkpoint(model, 50, calibration[0])
    torch.save(checkpoint, os.path.join(out, "cfcd_r50w4.pyth"))
    torch.save(checkpoint, os.path.join(out, "cfcd_r50w4_legacy.pyth"), _use_new_zipfile_serialization=False)
    np.save(os.path.join(out, "cfcd_r50w4_single.npy"), np.stack([ref.extract(model, im, [1.0]) for im in images]))
    np.save(os.path.join(out, "cfcd_r50w4_multi.npy"), np.stack([ref.extract(model, im, SCALES) for im in images]))
    np.save(os.path.join(out, "cfcd_r50w4_classifier.npy"), model.desc_cls.detach().numpy())

    # A tiny torchvision ResNet-18 backbone (RGB), and as a pycls ImageNet training checkpoint in both formats
    # (pycls's published ImageNet weights are legacy files; newer pycls writes zip files).
    backbone = ref.ResNet(18, 4)
    ref.randomise(backbone, generator, calibration)
    fc = torch.nn.Linear(32, 5)

    def imagenet_loss():
        logits = fc(backbone(calibration[1]).mean((2, 3)))
        return torch.nn.functional.cross_entropy(logits, torch.arange(4) % 5)

    optimizer = ref.official_training_step(list(backbone.parameters()) + list(fc.parameters()), imagenet_loss,
                                           base_lr=0.2, epoch=99, max_epoch=100)
    state = backbone.state_dict()
    torch.save(OrderedDict(list(state.items()) + [("fc.weight", fc.weight.detach()), ("fc.bias", fc.bias.detach())]),
               os.path.join(out, "torchvision_r18w4.pth"))
    pycls = OrderedDict((ref.to_pycls(k), v) for k, v in state.items())
    pycls["head.fc.weight"], pycls["head.fc.bias"] = fc.weight.detach(), fc.bias.detach()
    cfg = {"MODEL": {"TYPE": "resnet", "DEPTH": 18, "NUM_CLASSES": 5}, "OPTIM": {"BASE_LR": 0.2, "MAX_EPOCH": 100},
           "TRAIN": {"DATASET": "imagenet", "IM_SIZE": 224}}
    imagenet = ref.official_checkpoint(pycls, optimizer, 99, cfg)
    torch.save(imagenet, os.path.join(out, "pycls_r18w4.pyth"))
    torch.save(imagenet, os.path.join(out, "pycls_r18w4_legacy.pyth"), _use_new_zipfile_serialization=False)
    probe = torch.randn(1, 3, 48, 40, generator=generator)
    np.save(os.path.join(out, "r18w4_probe_input.npy"), probe.numpy())
    with torch.no_grad():
        np.save(os.path.join(out, "r18w4_probe_res4.npy"), backbone(probe).numpy())

    # Every numeric numpy scalar as pickle protocol 2 (torch.save's) writes it, and bytes (as _codecs.encode).
    lr = ref.cosine_lr(0.01, 3, 50)
    scalars = {"b1": np.bool_(True), "i1": np.int8(-5), "u1": np.uint8(250), "i2": np.int16(-300),
               "u2": np.uint16(65000), "i4": np.int32(-70000), "u4": np.uint32(4000000000), "i8": np.int64(-2 ** 40),
               "u8": np.uint64(2 ** 64 - 1), "f2": np.float16(0.5), "f4": np.float32(0.1), "f8": lr,
               "bytes": b"\x00\xff", "shared": [lr, lr]}
    with open(os.path.join(out, "numpy_scalars.pkl"), "wb") as f:
        pickle.dump(scalars, f, protocol=2)

    # Storage views: half, bfloat16, int64, a transposed tensor and two tensors sharing one storage at offsets.
    base = torch.arange(24, dtype=torch.float32)
    views = OrderedDict([
        ("half", torch.tensor([0.5, -2.0, 1024.0], dtype=torch.float16)),
        ("bfloat16", torch.tensor([1.5, -3.0], dtype=torch.bfloat16)),
        ("long", torch.tensor([7, -9, 2 ** 40])),
        ("transposed", base[:12].view(3, 4).t()),
        ("slice", base[14:20].view(2, 3)),
        ("shared", base[:12].view(3, 4)),
    ])
    torch.save(views, os.path.join(out, "views.pt"))


if __name__ == "__main__":
    main(sys.argv[1])
