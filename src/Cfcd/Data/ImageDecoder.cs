using System.Runtime.InteropServices;
using SkiaSharp;

namespace Cfcd.Data;

/// <summary>
/// Decodes JPEG, PNG, WebP (whatever SkiaSharp reads) to <see cref="RgbImage"/>. Grayscale becomes three equal
/// channels; alpha is dropped without compositing (as PIL's <c>convert("RGB")</c> does).
/// </summary>
public static class ImageDecoder
{
    public static RgbImage Decode(string path)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such image file");
        using var codec = SKCodec.Create(path, out var status)
            ?? throw new InputException($"{path}: not a readable image ({status})");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        SKCodecResult result;
        try
        {
            result = codec.GetPixels(info, handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
        if (result != SKCodecResult.Success)
            throw new InputException($"{path}: the image is damaged or truncated ({result})");
        var rgb = new byte[info.Width * info.Height * 3];
        for (int pixel = 0, source = 0, target = 0; pixel < info.Width * info.Height; pixel++, source += 4, target += 3)
        {
            rgb[target] = rgba[source];
            rgb[target + 1] = rgba[source + 1];
            rgb[target + 2] = rgba[source + 2];
        }
        return new RgbImage(info.Width, info.Height, rgb);
    }
}
