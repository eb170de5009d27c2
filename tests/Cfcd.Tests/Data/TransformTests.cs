using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Data;

public unsafe class TransformTests
{
    private static readonly InputConvention Identity =
        new(ChannelOrder.Rgb, [0f, 0f, 0f], [1f / 255f, 1f / 255f, 1f / 255f]);

    private static float[] Resample(byte[] rgba, int width, int height, CropBox region, int outWidth, int outHeight,
        bool mirror = false)
    {
        var output = new float[3 * outWidth * outHeight];
        fixed (byte* pixels = rgba)
            Resampler.ToPlanes(new PixelView(pixels, width, height, 1.0), region, outWidth, outHeight, mirror,
                new PlaneWriter(Identity), output);
        return output;
    }

    [Fact]
    public void BilinearUpscaleHasOpenCvValues()
    {
        // One row [0, 100] in the red channel, resized to 4 columns: sources -0.25, 0.25, 0.75, 1.25 clamp to 0 .. 1.
        byte[] rgba = [0, 0, 0, 255, 100, 0, 0, 255];
        var output = Resample(rgba, 2, 1, CropBox.Whole(2, 1), 4, 1);
        Assert.Equal(new float[] { 0, 25, 75, 100 }, output[..4]);
        Assert.Equal(new float[] { 100, 75, 25, 0 },
            Resample(rgba, 2, 1, CropBox.Whole(2, 1), 4, 1, mirror: true)[..4]);
    }

    [Fact]
    public void ResizeMatchesPyTorchBilinearWithoutAlignCorners()
    {
        var random = new Random(3);
        int width = 37, height = 29;
        var rgba = new byte[width * height * 4];
        random.NextBytes(rgba);
        var region = new CropBox(5, 3, 30, 22);
        var ours = tensor(Resample(rgba, width, height, region, 17, 13), [1, 3, 13, 17]);

        var planes = new float[3 * width * height];
        for (int i = 0; i < width * height; i++)
            for (int c = 0; c < 3; c++)
                planes[c * width * height + i] = rgba[4 * i + c];
        var crop = tensor(planes, [1, 3, height, width])[.., .., 3..25, 5..35];
        var reference =
            nn.functional.interpolate(crop, [13, 17], mode: InterpolationMode.Bilinear, align_corners: false);
        Golden.AssertClose(reference, ours, 1e-5);
    }

    [Fact]
    public void PlanesFollowChannelOrderStatisticsAndLighting()
    {
        byte[] rgba = [255, 0, 51, 255];
        var convention = new InputConvention(ChannelOrder.Bgr, [0.1f, 0.2f, 0.3f], [0.5f, 0.5f, 0.25f]);
        var output = new float[3];
        fixed (byte* pixels = rgba)
            Resampler.ToPlanes(new PixelView(pixels, 1, 1, 1.0), CropBox.Whole(1, 1), 1, 1, false,
                new PlaneWriter(convention, [0.01f, 0.02f, 0.03f]), output);
        // Planes: blue 51 (+0.03), green 0 (+0.02), red 255 (+0.01), each (x / 255 + light - mean) / std.
        Assert.Equal((0.2f + 0.03f - 0.1f) / 0.5f, output[0], 5);
        Assert.Equal((0f + 0.02f - 0.2f) / 0.5f, output[1], 5);
        Assert.Equal((1f + 0.01f - 0.3f) / 0.25f, output[2], 5);
    }

    [Fact]
    public void RandomResizedCropBoxesRespectAreaAndAspect()
    {
        for (int position = 0; position < 500; position++)
        {
            var random = SampleRandom.For(1, 0, position);
            var box = Augmentation.RandomResizedCrop(1024, 768, ref random, [0.08, 1.0], [0.75, 4.0 / 3.0]);
            Assert.InRange(box.X, 0, 1024 - box.Width);
            Assert.InRange(box.Y, 0, 768 - box.Height);
            Assert.InRange(box.Width * box.Height / (1024.0 * 768.0), 0.075, 1.0);
            Assert.InRange(box.Width / box.Height, 0.74, 1.35);
            var again = SampleRandom.For(1, 0, position);
            Assert.Equal(box, Augmentation.RandomResizedCrop(1024, 768, ref again, [0.08, 1.0], [0.75, 4.0 / 3.0]));
        }
    }

    [Fact]
    public void RandomResizedCropFallsBackToACentredAllowedAspect()
    {
        var random = SampleRandom.For(1, 0, 0);
        // A 100 x 10 strip cannot hold 99 % of its area at an aspect of at most 4/3.
        Assert.Equal(new CropBox(43, 0, 13, 10),
            Augmentation.RandomResizedCrop(100, 10, ref random, [0.99, 1.0], [0.75, 4.0 / 3.0]));
    }

    [Fact]
    public void LightingHasTheAlexNetCovariance()
    {
        const int Draws = 20000;
        const double Sigma = 0.1;
        double[] eigenValues = [0.2175, 0.0188, 0.0045];
        double[,] eigenVectors =
        {
            { -0.5675, 0.7192, 0.4009 }, { -0.5808, -0.0045, -0.8140 }, { -0.5836, -0.6948, 0.4203 },
        };
        var sums = new double[3];
        var squares = new double[3];
        Span<float> offsets = stackalloc float[3];
        for (int draw = 0; draw < Draws; draw++)
        {
            var random = SampleRandom.For(7, 0, draw);
            Augmentation.Lighting(ref random, Sigma, offsets);
            for (int c = 0; c < 3; c++)
            {
                sums[c] += offsets[c];
                squares[c] += offsets[c] * offsets[c];
            }
        }
        for (int c = 0; c < 3; c++)
        {
            double expectedVariance = 0;
            for (int k = 0; k < 3; k++)
                expectedVariance += Math.Pow(eigenVectors[c, k] * eigenValues[k] * Sigma, 2);
            double mean = sums[c] / Draws;
            double variance = squares[c] / Draws - mean * mean;
            Assert.InRange(mean, -0.001, 0.001);
            Assert.InRange(Math.Sqrt(variance) / Math.Sqrt(expectedVariance), 0.97, 1.03);
        }
    }

    [Fact]
    public void ValidationCropIsTheCentreOfTheResizedImage()
    {
        // 1024 x 768 -> short side 512 (scale 2/3) -> centre 448: 672 x 672 source pixels, centred.
        Assert.Equal(new CropBox(176, 48, 672, 672), Augmentation.ResizeAndCentreCrop(1024, 768, 512, 448));
    }

    [Fact]
    public void JpegsDecodeAtFullSizeUnlessDctScalingIsOn()
    {
        // A 512 x 384 crop into 64 x 64: the reference decodes at full size; DCT scaling may go down to 1/6 (so 1/4).
        var crop = new CropBox(10, 20, 512, 384);
        Assert.Equal(1.0, TrainTransform.DecodeScale(false, 64, crop));
        Assert.Equal(64.0 / 384, TrainTransform.DecodeScale(true, 64, crop));
        Assert.False(new DataConfig().JpegDctScaling);
        Assert.True(ConfigLoader.Parse("data:\n  jpeg_dct_scaling: true\n", "x.yaml").Data.JpegDctScaling);
    }
}
