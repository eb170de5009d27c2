"""PyTorch side of `cfcd bench forward`: the same network (ResNet, GeM, FC, BN, L2), random batches, eval mode, no
gradient, the same warm-up and timed batches, printed in the same format.

    /usr/bin/python3 scripts/bench_forward.py --depth 50 --batch 8 --sizes 224,512 --iterations 5 --threads 2
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import bench_common
import cfcd_reference as ref


def main():
    args = bench_common.parse_arguments("224,512")
    model = ref.CfcdNet(args.depth, args.width, args.dim, 1).eval()
    print(f"pytorch forward: ResNet-{args.depth} width {args.width} + GeM/FC/BN/L2, batch {args.batch}, cpu, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}")
    for size in [int(s) for s in args.sizes.split(",")]:
        images = torch.randn(args.batch, 3, size, size)
        with torch.no_grad():
            bench_common.measure(args, size, lambda: model(images))


if __name__ == "__main__":
    main()
