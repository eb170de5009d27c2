using System.Diagnostics;
using Cfcd.Data;
using SkiaSharp;

namespace Cfcd.Tests.Data;

public unsafe class PixelLimitTests
{
    private static void AssertColour(PixelView view, int x, int y, (int R, int G, int B) expected)
    {
        byte* pixel = view.Pixels + y * view.Stride + x * 4;
        int distance = Math.Abs(pixel[0] - expected.R) + Math.Abs(pixel[1] - expected.G)
                       + Math.Abs(pixel[2] - expected.B);
        Assert.True(distance < 24,
            $"({pixel[0]}, {pixel[1]}, {pixel[2]}) at ({x}, {y}), expected {expected}");
    }

    public static TheoryData<string, byte[], long, string> Bombs() => new()
    {
        { "bomb.png", HostileImages.Png(60000, 60000), PixelLimit.DefaultPixels, "" },
        { "bomb.jpg", HostileImages.ProgressiveJpeg(60000, 60000), PixelLimit.DefaultPixels,
            " (only a single-scan sequential JPEG decodes smaller)" },
        // 7500 x 7500 at 1/8: over 50 megapixels too.
        { "bomb.jpg", HostileImages.BaselineJpeg(60000, 60000), 50_000_000, " even at 1/8 size" },
    };

    [Theory]
    [MemberData(nameof(Bombs))]
    public void BombsAreRefusedBeforeDecodingInOneLine(string name, byte[] bytes, long limit, string why)
    {
        string path = HostileImages.Write(TestPaths.NewTempFolder(), name, bytes);
        var clock = Stopwatch.StartNew();
        using var reader = new ImageReader(new PixelLimit(limit, "--max-image-pixels"));
        using var image = ImageReader.Open(path);
        var error = Assert.Throws<InputException>(() => reader.Decode(image));
        Assert.Equal($"{path}: 60000 x 60000 pixels (3600 megapixels) is over the --max-image-pixels limit of " +
                     $"{limit / 1_000_000} megapixels{why}; not decoded", error.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ABaselineJpegOfTheLargestSizeFitsTheDefaultLimitAtAnEighth()
    {
        // libjpeg's largest: 65500 x 65500 at 1/8 is 8188 x 8188, 67 megapixels.
        var bytes = HostileImages.BaselineJpeg(65500, 65500);
        string path = HostileImages.Write(TestPaths.NewTempFolder(), "big.jpg", bytes);
        using var image = ImageReader.Open(path);
        Assert.Equal(0.125, PixelLimit.Default.LargestScale(image));
    }

    [Fact]
    public void AJpegOverTheLimitDecodesAtTheLargestScalingWithin()
    {
        string path = HostileImages.Write(TestPaths.NewTempFolder(), "photo.jpg", HostileImages.Jpeg(1000, 1000));
        using var image = ImageReader.Open(path);
        // 500 x 500 is exactly 250,000 pixels: a half-size decode fits, a full one does not.
        using var half = new ImageReader(new PixelLimit(250_000, "--max-image-pixels"));
        var view = half.Decode(image);
        Assert.Equal((500, 500, 0.5), (view.Width, view.Height, view.Scale));
        AssertColour(view, 100, 100, (255, 0, 0));
        AssertColour(view, 400, 400, (0, 0, 255));
        // A caller asking for less still gets less; a caller asking for more gets what the limit allows.
        Assert.Equal(0.25, half.Decode(image, minimumScale: 0.2).Scale);
        using var quarter = new ImageReader(new PixelLimit(249_999, "--max-image-pixels"));
        view = quarter.Decode(image);
        Assert.Equal((250, 250, 0.25), (view.Width, view.Height, view.Scale));

        // A training crop (the libjpeg window path where built): rows and columns of the half-size image.
        var window = half.Decode(image, 1.0, new CropBox(600, 600, 200, 200));
        Assert.Equal(0.5, window.Scale);
        Assert.True(window.OffsetX <= 300 && window.OffsetX + window.Width >= 400 && window.OffsetY <= 300
                    && window.OffsetY + window.Height >= 400, $"window at ({window.OffsetX}, {window.OffsetY})");
        AssertColour(window, 350 - window.OffsetX, 350 - window.OffsetY, (0, 0, 255));
    }

    [Fact]
    public void OtherFormatsAndProgressiveJpegsMustFitAtFullSize()
    {
        string folder = TestPaths.NewTempFolder();
        using var bitmap = new SKBitmap(1000, 1000);
        bitmap.Erase(SKColors.Green);
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        string pngPath = HostileImages.Write(folder, "photo.png", png.ToArray());
        string progressivePath = HostileImages.Write(folder, "photo.jpg",
            HostileImages.PatchFrame(HostileImages.Jpeg(1000, 1000), 0, 0, progressive: true));
        using var reader = new ImageReader(new PixelLimit(250_000, "data.max_image_pixels"));
        foreach (string path in new[] { pngPath, progressivePath })
        {
            using var image = ImageReader.Open(path);
            var error = Assert.Throws<InputException>(() => reader.Decode(image));
            Assert.StartsWith($"{path}: 1000 x 1000 pixels (1 megapixels) is over the data.max_image_pixels limit of " +
                              "0.25 megapixels", error.Message);
        }
        using var fits = new ImageReader(new PixelLimit(1_000_000, "data.max_image_pixels"));
        using var pngImage = ImageReader.Open(pngPath);
        var full = fits.Decode(pngImage);
        Assert.Equal((1000, 1000, 1.0), (full.Width, full.Height, full.Scale));
    }
}
