"""PyTorch side of `cfcd bench forward`: the same network (ResNet, GeM, FC, BN, L2), random batches, eval mode, no
gradient, the same warm-up and timed batches, printed in the same format.

    /usr/bin/python3 scripts/bench_forward.py --depth 50 --batch 8 --sizes 224,512 --iterations 5 --threads 2
"""
import argparse
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
import cfcd_reference as ref


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, default=50)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--sizes", default="224,512")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model = ref.CfcdNet(args.depth, args.width, args.dim, 1).eval()
    print(f"pytorch forward: ResNet-{args.depth} width {args.width} + GeM/FC/BN/L2, batch {args.batch}, cpu, "
          f"{torch.get_num_threads()} threads, torch {torch.__version__}")
    for size in [int(s) for s in args.sizes.split(",")]:
        seconds = []
        for iteration in range(args.warmup + args.iterations):
            with torch.no_grad():
                images = torch.randn(args.batch, 3, size, size)
                start = time.perf_counter()
                model(images)
                if iteration >= args.warmup:
                    seconds.append(time.perf_counter() - start)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"  {size}x{size}: {args.batch * len(seconds) / sum(seconds):8.2f} img/s  (median batch "
              f"{sorted(seconds)[len(seconds) // 2]:.3f} s over {len(seconds)}, peak RSS {peak:,} MiB)")


if __name__ == "__main__":
    main()
