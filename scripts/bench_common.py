"""What the PyTorch benchmark drivers share with each other and with `cfcd bench`: the options and the result line."""
import argparse
import resource
import time

import torch


def parse_arguments(default_sizes, **extra):
    """The options of `cfcd bench forward|train`, plus `extra` as --name default pairs; sets the thread count."""
    parser = argparse.ArgumentParser()
    for name, default in dict(depth=50, width=64, dim=512, batch=8, warmup=1, iterations=5, threads=2, **extra).items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--sizes", default=default_sizes)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    return args


def measure(args, size, run_batch):
    """Times run_batch() after the warm-up calls and prints the line cfcd prints for one size."""
    seconds = []
    for iteration in range(args.warmup + args.iterations):
        start = time.perf_counter()
        run_batch()
        if iteration >= args.warmup:
            seconds.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"  {size}x{size}: {args.batch * len(seconds) / sum(seconds):8.2f} img/s  (median batch "
          f"{sorted(seconds)[len(seconds) // 2]:.3f} s over {len(seconds)}, peak RSS {peak:,} MiB)")
