"""Writes tests/Cfcd.Tests/Fixtures/Data/JpegWindow: small JPEGs of every layout the window decoder must match the
full decode on (chroma subsampling, grayscale, progressive, restart markers, sizes that are not whole iMCUs).

    /usr/bin/python3 scripts/make_jpeg_window_fixtures.py tests/Cfcd.Tests/Fixtures/Data/JpegWindow

Needs Debian's python3-pil and cjpeg (libjpeg-turbo-progs): Pillow cannot choose 4:4:0 or restart intervals.
"""
import os
import random
import subprocess
import sys

from PIL import Image, ImageDraw, ImageFilter

# name: (width, height, cjpeg options); sizes are odd so that the last iMCU row and column are partial.
FIXTURES = {
    "h2v2.jpg": (101, 75, ["-sample", "2x2"]),
    "h2v1.jpg": (99, 61, ["-sample", "2x1"]),
    "h1v2.jpg": (83, 77, ["-sample", "1x2"]),
    "h1v1.jpg": (77, 53, ["-sample", "1x1"]),
    "h4v1.jpg": (105, 43, ["-sample", "4x1"]),
    "gray.jpg": (69, 45, ["-grayscale"]),
    "h2v2-progressive.jpg": (97, 71, ["-sample", "2x2", "-progressive"]),
    "h2v1-progressive.jpg": (85, 51, ["-sample", "2x1", "-progressive"]),
    "h2v2-restart.jpg": (93, 67, ["-sample", "2x2", "-restart", "3B"]),
    "h2v1-restart.jpg": (91, 47, ["-sample", "2x1", "-restart", "1"]),
    "h2v2-tiny.jpg": (19, 13, ["-sample", "2x2"]),
}


def busy_picture(width, height, seed):
    """Colour edges, gradients and noise, so that chroma differs between neighbouring pixels almost everywhere."""
    rng = random.Random(seed)
    image = Image.new("RGB", (width, height))
    image.putdata([(4 * x % 256, 5 * y % 256, (3 * x + 2 * y) % 256) for y in range(height) for x in range(width)])
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        box = (x, y, x + rng.randrange(3, 30), y + rng.randrange(3, 30))
        draw.ellipse(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noise = [tuple(max(0, min(255, c + rng.randrange(-24, 25))) for c in pixel) for pixel in image.getdata()]
    image.putdata(noise)
    return image


def main(out):
    os.makedirs(out, exist_ok=True)
    for seed, (name, (width, height, options)) in enumerate(sorted(FIXTURES.items())):
        source = os.path.join(out, name + ".ppm")
        busy_picture(width, height, seed).save(source)
        subprocess.run(["cjpeg", "-quality", "85", *options, "-outfile", os.path.join(out, name), source], check=True)
        os.remove(source)


if __name__ == "__main__":
    main(sys.argv[1])
