using Cfcd.Data;

namespace Cfcd.Tests.Data;

public unsafe class ImageReaderTests
{
    private static string Fixture(string name) => TestPaths.Fixture("Data", name);

    private static (byte R, byte G, byte B) At(PixelView view, int x, int y)
    {
        byte* pixel = view.Pixels + y * view.Stride + x * 4;
        return (pixel[0], pixel[1], pixel[2]);
    }

    private static void AssertNear((byte R, byte G, byte B) actual, (int R, int G, int B) expected, int tolerance = 12)
    {
        Assert.InRange(actual.R, expected.R - tolerance, expected.R + tolerance);
        Assert.InRange(actual.G, expected.G - tolerance, expected.G + tolerance);
        Assert.InRange(actual.B, expected.B - tolerance, expected.B + tolerance);
    }

    [Fact]
    public void ExifOrientationIsApplied()
    {
        using var reader = new ImageReader();
        using var image = ImageReader.Open(Fixture("orientation6.jpg"));
        Assert.Equal((32, 48), image.Size);
        var view = reader.Decode(image);
        Assert.Equal((32, 48), (view.Width, view.Height));
        // Rotated 90 degrees clockwise: stored top-left red is now top-right, blue (bottom-left) top-left.
        AssertNear(At(view, 4, 4), (0, 0, 255));
        AssertNear(At(view, 27, 4), (255, 0, 0));
        AssertNear(At(view, 4, 43), (255, 255, 255));
        AssertNear(At(view, 27, 43), (0, 255, 0));
    }

    [Fact]
    public void GrayscaleAndCmykBecomeRgb()
    {
        using var reader = new ImageReader();
        using (var gray = ImageReader.Open(Fixture("gray.jpg")))
        {
            var pixel = At(reader.Decode(gray), 36, 28);
            Assert.Equal(pixel.R, pixel.G);
            Assert.Equal(pixel.G, pixel.B);
            Assert.True(pixel.R > 240);
        }
        using var cmyk = ImageReader.Open(Fixture("cmyk.jpg"));
        var view = reader.Decode(cmyk);
        AssertNear(At(view, 4, 4), (255, 0, 0), 40);
        AssertNear(At(view, 43, 4), (0, 255, 0), 40);
    }

    [Fact]
    public void ReducedAndWindowedJpegDecodesAgreeWithTheFullDecode()
    {
        using var reader = new ImageReader();
        using var fullReader = new ImageReader();
        using var image = ImageReader.Open(Fixture("large.jpg"));
        var full = fullReader.Decode(image);
        Assert.Equal((256, 192, 1.0), (full.Width, full.Height, full.Scale));

        var half = reader.Decode(image, minimumScale: 0.4);
        Assert.Equal((128, 96, 0.5), (half.Width, half.Height, half.Scale));
        AssertNear(At(half, 10, 10), (255, 0, 0));
        AssertNear(At(half, 118, 86), (255, 255, 255));

        var window = reader.Decode(image, 1.0, new CropBox(100.5, 50, 90, 100));
        Assert.True(window.OffsetX <= 100 && window.OffsetX + window.Width >= 191 && window.OffsetY <= 50 && window.OffsetY + window.Height >= 150);
        Assert.True(window.Height < 192, "the window decode should not decode every row");
        long difference = 0;
        for (int y = 0; y < window.Height; y++)
            for (int x = 0; x < window.Width; x++)
            {
                var a = At(window, x, y);
                var b = At(full, x + window.OffsetX, y + window.OffsetY);
                difference += Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);
            }
        Assert.True(difference / (3.0 * window.Width * window.Height) < 0.5, $"mean difference {difference / (3.0 * window.Width * window.Height)}");
    }

    [Fact]
    public void TruncatedJpegsAreDamagedImages()
    {
        string folder = TestPaths.NewTempFolder();
        var bytes = File.ReadAllBytes(Fixture("large.jpg"));
        string truncated = Path.Combine(folder, "cut.jpg");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        using var reader = new ImageReader();
        using var image = ImageReader.Open(truncated);
        var error = Assert.Throws<InputException>(() => reader.Decode(image));
        Assert.StartsWith(truncated + ": the image is damaged or truncated", error.Message);
        Assert.Throws<InputException>(() => reader.Decode(image, 1.0, new CropBox(0, 150, 50, 40)));
    }
}

public class LibJpegTests
{
    [Fact]
    public void TheLibjpegDecoderIsBuiltWhereItsHeadersExist()
    {
        if (OperatingSystem.IsLinux() && File.Exists("/usr/include/jpeglib.h") && File.Exists("/usr/bin/cc"))
            Assert.True(LibJpeg.Available, "native/cfcdjpeg.c should have been built and copied next to the assembly");
    }

    [Fact]
    public unsafe void CmykIsLeftToSkiaAndSizesAreReported()
    {
        if (!LibJpeg.Available)
            return;
        Assert.Equal(LibJpeg.Result.Unsupported, LibJpeg.ScaledSize(TestPaths.Fixture("Data", "cmyk.jpg"), 1, out _, out _, out _));
        Assert.Equal(LibJpeg.Result.Ok, LibJpeg.ScaledSize(TestPaths.Fixture("Data", "large.jpg"), 8, out int width, out int height, out _));
        Assert.Equal((32, 24), (width, height));
        using var reader = new ImageReader();
        using var cmyk = ImageReader.Open(TestPaths.Fixture("Data", "cmyk.jpg"));
        var view = reader.Decode(cmyk, 1.0, new CropBox(0, 0, 20, 10));
        Assert.True(view.Pixels[0] > 200 && view.Pixels[1] < 60);
    }
}
