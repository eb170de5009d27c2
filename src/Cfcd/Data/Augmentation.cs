namespace Cfcd.Data;

/// <summary>The random parts of training augmentation, each drawn from a sample's own <see
/// cref="SampleRandom"/>.</summary>
internal static class Augmentation
{
    // AlexNet's PCA of ImageNet RGB pixels (as pycls and CFCD use them): eigenvalues and eigenvectors (columns).
    private static readonly double[] EigenValues = [0.2175, 0.0188, 0.0045];
    private static readonly double[,] EigenVectors =
    {
        { -0.5675, 0.7192, 0.4009 },
        { -0.5808, -0.0045, -0.8140 },
        { -0.5836, -0.6948, 0.4203 },
    };

    /// <summary>
    /// torchvision's RandomResizedCrop box: up to 10 tries of an area fraction uniform in <paramref name="area"/> and
    /// a log-uniform aspect in <paramref name="aspect"/>; if none fits, the whole image cropped to the nearest allowed
    /// aspect, centred.
    /// </summary>
    public static CropBox RandomResizedCrop(int width, int height, ref SampleRandom random, ReadOnlySpan<double> area,
        ReadOnlySpan<double> aspect)
    {
        double imageArea = (double)width * height;
        double logLow = Math.Log(aspect[0]), logHigh = Math.Log(aspect[1]);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double targetArea = imageArea * random.Uniform(area[0], area[1]);
            double ratio = Math.Exp(random.Uniform(logLow, logHigh));
            int cropWidth = (int)Math.Round(Math.Sqrt(targetArea * ratio));
            int cropHeight = (int)Math.Round(Math.Sqrt(targetArea / ratio));
            if (cropWidth > 0 && cropWidth <= width && cropHeight > 0 && cropHeight <= height)
            {
                int top = random.Next(height - cropHeight + 1);
                int left = random.Next(width - cropWidth + 1);
                return new CropBox(left, top, cropWidth, cropHeight);
            }
        }
        double imageRatio = (double)width / height;
        int fallbackWidth = width, fallbackHeight = height;
        if (imageRatio < aspect[0])
            fallbackHeight = (int)Math.Round(width / aspect[0]);
        else if (imageRatio > aspect[1])
            fallbackWidth = (int)Math.Round(height * aspect[1]);
        return new CropBox((width - fallbackWidth) / 2, (height - fallbackHeight) / 2, fallbackWidth, fallbackHeight);
    }

    /// <summary>AlexNet PCA lighting: per-RGB-channel offsets (in [0, 1] pixel units), alpha ~ N(0, sigma) per
    /// component.</summary>
    public static void Lighting(ref SampleRandom random, double sigma, Span<float> rgbOffsets)
    {
        Span<double> alpha =
            [random.NextGaussian() * sigma, random.NextGaussian() * sigma, random.NextGaussian() * sigma];
        for (int channel = 0; channel < 3; channel++)
        {
            double offset = 0;
            for (int component = 0; component < 3; component++)
                offset += EigenVectors[channel, component] * alpha[component] * EigenValues[component];
            rgbOffsets[channel] = (float)offset;
        }
    }

    /// <summary>Validation: the short side resized to <paramref name="resize"/>, then a centred square of <paramref
    /// name="size"/>.</summary>
    public static CropBox ResizeAndCentreCrop(int width, int height, int resize, int size)
    {
        double scale = (double)resize / Math.Min(width, height);
        double side = Math.Min(size / scale, Math.Min(width, height));
        return new CropBox((width - side) / 2, (height - side) / 2, side, side);
    }
}
