namespace Cfcd.Data;

/// <summary>
/// Decodes a whole image (EXIF orientation applied) to an <see cref="RgbImage"/>: the simple path for extraction at
/// original size. Training and evaluation batches use <see cref="ImageReader"/> and the transforms instead.
/// </summary>
public static class ImageDecoder
{
    public static unsafe RgbImage Decode(string path)
    {
        using var reader = new ImageReader();
        using var image = ImageReader.Open(path);
        var pixels = reader.Decode(image);
        var rgb = new byte[pixels.Width * pixels.Height * 3];
        byte* source = pixels.Pixels;
        for (int pixel = 0, target = 0; pixel < pixels.Width * pixels.Height; pixel++, source += 4, target += 3)
        {
            rgb[target] = source[0];
            rgb[target + 1] = source[1];
            rgb[target + 2] = source[2];
        }
        return new RgbImage(pixels.Width, pixels.Height, rgb);
    }
}
