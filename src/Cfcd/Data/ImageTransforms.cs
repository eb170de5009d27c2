using Cfcd.Config;
using Cfcd.Modeling;

namespace Cfcd.Data;

/// <summary>Turns one opened image into normalised planes of a fixed size, given the sample's random
/// generator.</summary>
internal interface IImageTransform
{
    int Size { get; }

    void Apply(EncodedImage image, ImageReader reader, ref SampleRandom random, Span<float> destination);
}

/// <summary>
/// Training augmentation (docs/method.md section 4): random-resized crop to a square, horizontal flip, PCA lighting,
/// normalisation. The JPEG is decoded at full size as the reference does, or, with data.jpeg_dct_scaling, at
/// reduced size when the crop would still cover the output.
/// </summary>
internal sealed class TrainTransform(DataConfig data, InputConvention convention) : IImageTransform
{
    public int Size => data.ImageSize;

    public void Apply(EncodedImage image, ImageReader reader, ref SampleRandom random, Span<float> destination)
    {
        var (width, height) = image.Size;
        var crop = Augmentation.RandomResizedCrop(width, height, ref random, data.CropArea, data.CropAspect);
        bool mirror = random.NextDouble() < data.FlipProbability;
        Span<float> lighting = stackalloc float[3];
        if (data.LightingSigma > 0)
            Augmentation.Lighting(ref random, data.LightingSigma, lighting);
        var pixels = reader.Decode(image, DecodeScale(data.JpegDctScaling, Size, crop), crop);
        Resampler.ToPlanes(pixels, crop, Size, Size, mirror, new PlaneWriter(convention, lighting), destination);
    }

    /// <summary>The smallest decode scale the reader may use: 1 (full size) unless DCT scaling is on.</summary>
    internal static double DecodeScale(bool jpegDctScaling, int size, CropBox crop) =>
        jpegDctScaling ? Math.Max(size / crop.Width, size / crop.Height) : 1.0;
}

/// <summary>
/// Evaluation view of training-style data (validation, scoring): short side resized, centre crop, normalisation;
/// decoded as <see cref="TrainTransform"/> decodes.
/// </summary>
internal sealed class EvalTransform(int resize, int size, InputConvention convention, bool jpegDctScaling = false)
    : IImageTransform
{
    public int Size => size;

    public void Apply(EncodedImage image, ImageReader reader, ref SampleRandom random, Span<float> destination)
    {
        var (width, height) = image.Size;
        var crop = Augmentation.ResizeAndCentreCrop(width, height, resize, size);
        var pixels = reader.Decode(image, TrainTransform.DecodeScale(jpegDctScaling, size, crop), crop);
        Resampler.ToPlanes(pixels, crop, size, size, mirror: false, new PlaneWriter(convention), destination);
    }
}
