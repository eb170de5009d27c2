"""Writes tests/Cfcd.Tests/Fixtures/Data: small JPEGs that exercise decoding (Debian's python3-pil).

    /usr/bin/python3 scripts/make_data_fixture.py tests/Cfcd.Tests/Fixtures/Data
"""
import os
import sys

from PIL import Image


def quadrants(width, height):
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    image = Image.new("RGB", (width, height))
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
    for index, colour in enumerate(colours):
        left, top = (index % 2) * width // 2, (index // 2) * height // 2
        image.paste(colour, (left, top, left + width // 2, top + height // 2))
    return image


def main(out):
    os.makedirs(out, exist_ok=True)
    # Stored 48 x 32; EXIF orientation 6 says "rotate 90 degrees clockwise to display" (32 x 48 on screen).
    exif = Image.Exif()
    exif[0x0112] = 6
    quadrants(48, 32).save(os.path.join(out, "orientation6.jpg"), quality=100, subsampling=0, exif=exif)
    quadrants(48, 32).save(os.path.join(out, "quadrants.jpg"), quality=100, subsampling=0)
    quadrants(48, 32).convert("L").save(os.path.join(out, "gray.jpg"), quality=100)
    quadrants(48, 32).convert("CMYK").save(os.path.join(out, "cmyk.jpg"), quality=100)
    quadrants(256, 192).save(os.path.join(out, "large.jpg"), quality=95)


if __name__ == "__main__":
    main(sys.argv[1])
