"""Python side of `cfcd bench pipeline`, and the test images for both.

    /usr/bin/python3 scripts/bench_pipeline.py make DIR [N]      # N 1024 x 768 JPEGs (quality 90, photo-like content)
    /usr/bin/python3 scripts/bench_pipeline.py run DIR [--workers 2 --batch 32 --count 512 --size 512]

The pipeline is the usual PyTorch one: a DataLoader with worker processes, Pillow decode, torchvision's
RandomResizedCrop(512) and RandomHorizontalFlip, ToTensor, AlexNet PCA lighting (sigma 0.1), Normalize.
"""
import argparse
import glob
import os
import resource
import time

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image

EIG_VALS = torch.tensor([0.2175, 0.0188, 0.0045])
EIG_VECS = torch.tensor([[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]])


class Lighting:
    def __init__(self, sigma):
        self.sigma = sigma

    def __call__(self, image):
        alpha = torch.randn(3) * self.sigma
        return image + (EIG_VECS @ (alpha * EIG_VALS)).view(3, 1, 1)


class Images(torch.utils.data.Dataset):
    def __init__(self, paths, size):
        self.paths = paths
        self.transform = T.Compose([T.RandomResizedCrop(size), T.RandomHorizontalFlip(), T.ToTensor(), Lighting(0.1),
                                    T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        with open(self.paths[index], "rb") as f:
            image = Image.open(f).convert("RGB")
        return self.transform(image), 0


def make(folder, count):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for index in range(count):
        # Smooth colour fields plus texture and edges: about 270 KB each at quality 90, like detailed photos.
        small = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
        base = np.asarray(Image.fromarray(small).resize((1024, 768), Image.BICUBIC), dtype=np.int16)
        texture = rng.normal(0, 8, (768, 1024, 1)).astype(np.int16)
        for _ in range(40):
            y, x = rng.integers(0, 700), rng.integers(0, 960)
            base[y:y + rng.integers(8, 68), x:x + rng.integers(8, 64)] = rng.integers(0, 256, 3)
        pixels = np.clip(base + texture, 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(os.path.join(folder, f"{index:04d}.jpg"), quality=90)


def run(folder, workers, batch, count, size):
    torch.set_num_threads(1)
    paths = sorted(glob.glob(os.path.join(folder, "*.jpg")))
    loader = torch.utils.data.DataLoader(Images(paths, size), batch_size=batch, shuffle=True, num_workers=workers,
                                         drop_last=True, persistent_workers=True)
    loaded, start = 0, None
    while loaded < count:
        for images, _ in loader:
            if start is None:
                start = time.perf_counter()
                continue
            loaded += images.shape[0]
            if loaded >= count:
                break
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"pillow pipeline: {len(paths)} images, crop {size}, batch {batch}, {workers} workers, "
          f"Pillow {Image.__version__}")
    print(f"  {loaded / seconds:8.1f} img/s  ({loaded} images in {seconds:.2f} s, main process peak RSS {peak:,} MiB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["make", "run"])
    parser.add_argument("folder")
    parser.add_argument("count_to_make", nargs="?", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--count", type=int, default=512)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()
    if args.command == "make":
        make(args.folder, args.count_to_make)
    else:
        run(args.folder, args.workers, args.batch, args.count, args.size)
