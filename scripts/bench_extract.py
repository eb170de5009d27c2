"""PyTorch side of `cfcd bench extract`: the same network (ResNet-50, GeM, FC, BN, L2; random weights) and scales over
the same JPEGs, as CFCD's test code extracts: a DataLoader with worker processes decoding with Pillow at original size,
then per image a bilinear resize to each scale, the descriptor, the sum, L2. Printed in cfcd's format.

    /usr/bin/python3 scripts/bench_extract.py --images DIR --count 8 --workers 2 --threads 2
"""
import argparse
import glob
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
import cfcd_reference as ref


class Images(torch.utils.data.Dataset):
    def __init__(self, paths):
        self.paths = paths

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        with open(self.paths[index], "rb") as f:
            rgb = np.asarray(Image.open(f).convert("RGB"))
        return ref.to_input(rgb, bgr=True)[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True)
    parser.add_argument("--depth", type=int, default=50)
    parser.add_argument("--scales", default="0.3535,0.5,0.7071,1,1.4142")
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    scales = [float(s) for s in args.scales.split(",")]
    paths = sorted(glob.glob(os.path.join(args.images, "*.jpg")))[:args.count]
    model = ref.CfcdNet(args.depth, 64, 512, 1).eval()
    loader = torch.utils.data.DataLoader(Images(paths), batch_size=1, num_workers=args.workers)

    def describe(x):
        with torch.no_grad():
            total = 0
            for scale in scales:
                size = (int(round(x.shape[-2] * scale)), int(round(x.shape[-1] * scale)))
                scaled = x if scale == 1 else F.interpolate(x, size=size, mode="bilinear", align_corners=False)
                total = total + model(scaled)
            return F.normalize(total, p=2, dim=1)

    describe(next(iter(loader)))
    start = time.perf_counter()
    for x in loader:
        describe(x)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"pytorch extract: ResNet-{args.depth}, scales {','.join(str(s) for s in scales)}, {len(paths)} images, "
          f"{args.workers} decode workers, "
          f"batch 1, cpu, {torch.get_num_threads()} threads")
    print(f"  {len(paths) / seconds:8.3f} img/s  ({len(paths)} images in {seconds:.1f} s, 0 unreadable, "
          f"peak RSS {peak:,} MiB)")


if __name__ == "__main__":
    main()
