"""The CFCD network and extraction in plain PyTorch, as docs/method.md sections 1 and 5 describe them.

The side-by-side reference for cfcd's golden fixtures and checks (Debian's python3-torch 1.13 is enough).
Backbone blocks are torchvision's own; the stem width is a parameter so tiny networks can be built.
"""
import math
import re

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, Bottleneck

LAYOUTS = {18: (BasicBlock, [2, 2, 2, 2]), 34: (BasicBlock, [3, 4, 6, 3]), 50: (Bottleneck, [3, 4, 6, 3]),
           101: (Bottleneck, [3, 4, 23, 3]), 152: (Bottleneck, [3, 8, 36, 3])}
PYCLS_MEAN_BGR, PYCLS_STD_BGR = [0.406, 0.456, 0.485], [0.225, 0.224, 0.229]
TORCHVISION_MEAN, TORCHVISION_STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


class ResNet(nn.Module):
    """torchvision's ResNet layout and names with a stem width parameter; returns res4."""

    def __init__(self, depth, width=64):
        super().__init__()
        block, counts = LAYOUTS[depth]
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        channels = width
        for stage, count in enumerate(counts):
            planes = width << stage
            blocks = []
            for index in range(count):
                stride = 2 if index == 0 and stage > 0 else 1
                downsample = None
                if stride != 1 or channels != planes * block.expansion:
                    downsample = nn.Sequential(nn.Conv2d(channels, planes * block.expansion, 1, stride, bias=False),
                                               nn.BatchNorm2d(planes * block.expansion))
                blocks.append(block(channels, planes, stride, downsample))
                channels = planes * block.expansion
            setattr(self, f"layer{stage + 1}", nn.Sequential(*blocks))
        self.out_channels = channels

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class CfcdNet(nn.Module):
    def __init__(self, depth, width, dim, classes):
        super().__init__()
        self.backbone = ResNet(depth, width)
        self.fc = nn.Linear(self.backbone.out_channels, dim)
        self.bn = nn.BatchNorm1d(dim)
        self.desc_cls = nn.Parameter(torch.empty(classes, dim).uniform_(-1 / math.sqrt(dim), 1 / math.sqrt(dim)))

    def forward(self, x):
        res4 = self.backbone(x)
        pooled = F.avg_pool2d(res4.clamp(min=1e-6).pow(3), (res4.size(-2), res4.size(-1))).pow(1.0 / 3).flatten(1)
        return F.normalize(self.bn(self.fc(pooled)), p=2, dim=1)


def randomise(model, generator, calibration):
    """Random but realistic weights: BN statistics from a few training-mode passes, then jittered affine terms."""
    for module in model.modules():
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.momentum = None
    model.train()
    with torch.no_grad():
        for batch in calibration:
            model(batch)
        for module in model.modules():
            if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.normal_(0, 0.1, generator=generator)
    model.eval()


def to_pycls(name):
    """torchvision backbone name -> pycls name (docs/method.md section 1)."""
    name = re.sub(r"^conv1\.", "stem.conv.", name)
    name = re.sub(r"^bn1\.", "stem.bn.", name)
    match = re.match(r"^layer(\d)\.(\d+)\.(.+)$", name)
    if not match:
        return name
    stage, block, rest = match.group(1), int(match.group(2)) + 1, match.group(3)
    for old, new in [("downsample.0.", "proj."), ("downsample.1.", "bn."), ("conv1.", "f.a."), ("bn1.", "f.a_bn."),
                     ("conv2.", "f.b."), ("bn2.", "f.b_bn."), ("conv3.", "f.c."), ("bn3.", "f.c_bn.")]:
        if rest.startswith(old):
            rest = new + rest[len(old):]
            break
    return f"s{stage}.b{block}.{rest}"


def cfcd_state(model):
    """The model state under official CFCD names: pycls names under `globalmodel.`, the head as fc / bn, desc_cls."""
    from collections import OrderedDict
    state = OrderedDict()
    for name, value in model.state_dict().items():
        if name.startswith("backbone."):
            state["globalmodel." + to_pycls(name[len("backbone."):])] = value
        elif name == "desc_cls":
            state["desc_cls.weight"] = value
        else:
            state[name] = value
    return state


def cosine_lr(base_lr, epoch, max_epoch):
    """pycls's lr_fun_cos, as CFCD's trainer uses it: a numpy.float64, not a float."""
    return 0.5 * base_lr * (1.0 + np.cos(np.pi * epoch / max_epoch))


def official_training_step(parameters, loss_of, base_lr, epoch, max_epoch):
    """One step of the official trainer's SGD (momentum, Nesterov, weight decay) at the epoch's cosine learning
    rate, set in every param group as pycls's optim.set_lr does. Returns the optimiser, momentum buffers filled.
    The gradient is clipped to norm 1: a tiny random network has dead channels, where GeM's cube root has a gradient
    large enough for one step to blow the weights up."""
    parameters = list(parameters)
    optimizer = torch.optim.SGD(parameters, lr=base_lr, momentum=0.9, weight_decay=5e-5, nesterov=True)
    for group in optimizer.param_groups:
        group["lr"] = cosine_lr(base_lr, epoch, max_epoch)
    optimizer.zero_grad()
    loss_of().backward()
    torch.nn.utils.clip_grad_norm_(parameters, 1.0)
    optimizer.step()
    return optimizer


def official_checkpoint(state, optimizer, epoch, cfg):
    """What CFCD's and pycls's core/checkpoint.py save: epoch, model_state, optimizer_state and the yacs config
    dumped as YAML (yacs's CfgNode.dump is yaml.safe_dump of the nested dict)."""
    import yaml
    return {"epoch": epoch, "model_state": state, "optimizer_state": optimizer.state_dict(),
            "cfg": yaml.safe_dump(cfg)}


def trained_cfcd_checkpoint(model, depth, batch, epoch=3, max_epoch=50, base_lr=0.01):
    """An official CFCD checkpoint of `model` after one training step on `batch` (MadaCos-like cosine logits, fixed
    scale) in training mode, as the trainer runs it; the step changes the model's weights and batch-norm statistics,
    so descriptors must be computed after this."""
    classes, dim = model.desc_cls.shape
    labels = torch.arange(len(batch)) % classes

    def loss():
        return F.cross_entropy(F.linear(model(batch), F.normalize(model.desc_cls)) * 30.0, labels)

    model.train()
    optimizer = official_training_step(model.parameters(), loss, base_lr, epoch, max_epoch)
    model.eval()
    cfg = {"MODEL": {"TYPE": "resnet", "DEPTH": depth, "NUM_CLASSES": int(classes),
                     "HEADS": {"REDUCTION_DIM": int(dim)}},
           "OPTIM": {"BASE_LR": base_lr, "LR_POLICY": "cos", "MAX_EPOCH": max_epoch, "MOMENTUM": 0.9,
                     "NESTEROV": True, "WEIGHT_DECAY": 5e-5},
           "TRAIN": {"DATASET": "GLDv2", "IM_SIZE": 512, "BATCH_SIZE": 64}}
    return official_checkpoint(cfcd_state(model), optimizer, epoch, cfg)


def to_input(rgb, bgr):
    """uint8 H x W x 3 RGB -> normalised [1, 3, H, W] float tensor."""
    mean, std = (PYCLS_MEAN_BGR, PYCLS_STD_BGR) if bgr else (TORCHVISION_MEAN, TORCHVISION_STD)
    pixels = rgb[:, :, ::-1] if bgr else rgb
    x = torch.from_numpy(np.ascontiguousarray(pixels)).float().div(255).permute(2, 0, 1)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x.unsqueeze(0)


@torch.no_grad()
def extract(model, rgb, scales, bgr=True):
    x = to_input(rgb, bgr)
    height, width = x.shape[-2:]
    total = 0
    for scale in scales:
        size = (int(round(height * scale)), int(round(width * scale)))
        scaled = x if scale == 1 else F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        total = total + model(scaled)
    return F.normalize(total, p=2, dim=1)[0].numpy()


def structured_image(generator, height, width):
    """A PNG-able RGB image with edges and texture (random blocks over a gradient)."""
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width), indexing="ij")
    image = torch.stack([x, y, (x + y) / 2]) * 200
    for _ in range(12):
        top, left = [int(v) for v in torch.randint(0, min(height, width) - 8, (2,), generator=generator)]
        size = int(torch.randint(4, min(height, width) // 2, (1,), generator=generator))
        colour = torch.randint(0, 256, (3, 1, 1), generator=generator).float()
        image[:, top:top + size, left:left + size] = colour
    noise = torch.randint(-12, 13, image.shape, generator=generator).float()
    return (image + noise).clamp(0, 255).byte().permute(1, 2, 0).numpy()
