"""PyTorch side of `cfcd bench train`: the same stage-1 step (ResNet + GeM/FC/BN head, cosine classifier, MadaCos,
backward, SGD with Nesterov momentum 0.9 and weight decay 1e-4) on random batches, timed and printed the same way.

    /usr/bin/python3 scripts/bench_train.py --depth 50 --batch 8 --sizes 224 --classes 81313 --iterations 5 --threads 2
"""
import math
import os
import sys

import torch
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock, Bottleneck

sys.path.insert(0, os.path.dirname(__file__))
import bench_common
import cfcd_reference as ref


def madacos(cosines, labels, alpha=0.02):
    """docs/method.md section 2, as cfcd computes it: lower median, scale floor 32, B in log space, margin clamped
    at 0."""
    with torch.no_grad():
        targets = cosines.gather(1, labels[:, None]).squeeze(1).double()
        order = targets.argsort()
        middle = (targets.numel() - 1) // 2
        median, sample = targets[order[middle]].item(), order[middle].item()
        scale = max(32.0, math.log(9999999.0 * (1 - alpha) / alpha) / max(1 - median, 1e-6))
        row = cosines[sample].double() * scale
        row[labels[sample]] = -math.inf
        log_b = torch.logsumexp(row, 0).item()
        margin = max(0.0, median - (log_b + math.log(alpha / (1 - alpha))) / scale)
    one_hot = F.one_hot(labels, cosines.shape[1]).to(cosines.dtype)
    return F.cross_entropy(cosines * scale - one_hot * (scale * margin), labels)


def main():
    args = bench_common.parse_arguments("224", classes=81313)
    torch.manual_seed(1)
    model = ref.CfcdNet(args.depth, args.width, args.dim, args.classes).train()
    for module in model.modules():  # cfcd's zero_init_last_bn
        if isinstance(module, (Bottleneck, BasicBlock)):
            torch.nn.init.zeros_((module.bn3 if isinstance(module, Bottleneck) else module.bn2).weight)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.005, momentum=0.9, nesterov=True, weight_decay=1e-4)
    print(f"pytorch train: ResNet-{args.depth} width {args.width} + GeM/FC/BN + MadaCos + SGD, "
          f"{args.classes:,} classes, "
          f"batch {args.batch}, cpu, {torch.get_num_threads()} threads, torch {torch.__version__}")
    for size in [int(s) for s in args.sizes.split(",")]:
        images = torch.randn(args.batch, 3, size, size)
        labels = torch.randint(args.classes, (args.batch,))

        def step():
            optimizer.zero_grad()
            cosines = model(images) @ F.normalize(model.desc_cls, dim=1).t()
            loss = madacos(cosines, labels)
            loss.backward()
            loss.item()
            optimizer.step()

        bench_common.measure(args, size, step)


if __name__ == "__main__":
    main()
