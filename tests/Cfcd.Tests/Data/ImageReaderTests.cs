using Cfcd.Data;
using Cfcd.Config;
using Cfcd.Modeling;
using SkiaSharp;

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
    public void ReducedJpegDecodesAreTheImageAtTheScaledSize()
    {
        using var reader = new ImageReader();
        using var image = ImageReader.Open(Fixture("large.jpg"));
        var full = reader.Decode(image);
        Assert.Equal((256, 192, 1.0), (full.Width, full.Height, full.Scale));
        var half = reader.Decode(image, minimumScale: 0.4);
        Assert.Equal((128, 96, 0.5), (half.Width, half.Height, half.Scale));
        AssertNear(At(half, 10, 10), (255, 0, 0));
        AssertNear(At(half, 118, 86), (255, 255, 255));
    }

    [Fact]
    public void AReducedDecodeMapsPixelXToXOverTheDenominatorInBothDirections()
    {
        // 9 x 64, white above a blue band in rows 56-63: at 1/8 the band is decoded row 7, and the 9 columns become 2.
        using var bitmap = new SKBitmap(9, 64);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var blue = new SKPaint { Color = SKColors.Blue };
            canvas.DrawRect(0, 56, 9, 8, blue);
        }
        string path = Path.Combine(TestPaths.NewTempFolder(), "band.jpg");
        using (var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95))
            File.WriteAllBytes(path, data.ToArray());
        var band = new CropBox(0, 56, 9, 8);
        float[] zero = [0f, 0f, 0f], byteUnits = [1 / 255f, 1 / 255f, 1 / 255f];
        var identity = new PlaneWriter(new InputConvention(ChannelOrder.Rgb, zero, byteUnits));
        using var reader = new ImageReader();
        using var image = ImageReader.Open(path);
        // The window (libjpeg where built) and the whole image (Skia): one scale, 1/8, for rows and columns alike.
        Func<PixelView>[] decodes = [() => reader.Decode(image, 0.125, band), () => reader.Decode(image, 0.125)];
        foreach (var view in decodes)
        {
            var decoded = view();
            Assert.Equal(0.125, decoded.Scale);
            var planes = new float[3 * 2 * 2];
            Resampler.ToPlanes(decoded, band, 2, 2, mirror: false, identity, planes);
            Assert.All(planes.Chunk(4).Zip([0f, 0f, 255f]), plane => Assert.All(plane.First,
                value => Assert.InRange(value, plane.Second - 12, plane.Second + 12)));
        }
    }

    [Fact]
    public void WindowDecodesHoldTheRegionAndOnePixelAroundIt()
    {
        using var reader = new ImageReader();
        using var image = ImageReader.Open(Fixture("large.jpg"));
        var window = reader.Decode(image, 1.0, new CropBox(100.5, 50, 90, 100));
        Assert.Equal((49, 102), (window.OffsetY, window.Height));
        // Skia's window decode has whole rows; libjpeg's is cut to the columns too.
        if (LibJpeg.Available)
            Assert.Equal((99, 93), (window.OffsetX, window.Width));
    }

    /// <summary>
    /// Every pixel a window decode returns is the full decode's, at every scale, over crops that start and end in
    /// every column and row (iMCU boundaries and image edges included) and seeded random ones. CMYK goes through
    /// Skia's window decode (rows only), the others through libjpeg's where it is built.
    /// </summary>
    [Theory]
    [InlineData("JpegWindow/h2v2.jpg")]
    [InlineData("JpegWindow/h2v1.jpg")]
    [InlineData("JpegWindow/h1v2.jpg")]
    [InlineData("JpegWindow/h1v1.jpg")]
    [InlineData("JpegWindow/h4v1.jpg")]
    [InlineData("JpegWindow/gray.jpg")]
    [InlineData("JpegWindow/h2v2-progressive.jpg")]
    [InlineData("JpegWindow/h2v1-progressive.jpg")]
    [InlineData("JpegWindow/h2v2-restart.jpg")]
    [InlineData("JpegWindow/h2v1-restart.jpg")]
    [InlineData("JpegWindow/h2v2-tiny.jpg")]
    [InlineData("cmyk.jpg")]
    public void WindowDecodesAreExactlyTheFullDecodesPixels(string name)
    {
        using var reader = new ImageReader();
        using var fullReader = new ImageReader();
        using var image = ImageReader.Open(Fixture(name));
        foreach (double scale in new[] { 1.0, 0.5, 0.25, 0.125 })
        {
            var full = fullReader.Decode(image, scale);
            foreach (var crop in WindowCrops(image.Size.Width, image.Size.Height))
            {
                var window = reader.Decode(image, scale, crop);
                string what = $"{name} at scale {full.Scale:F3}, crop {crop}";
                Assert.Equal(full.Scale, window.Scale);
                AssertCovers(window, crop, full, what);
                AssertSamePixels(window, full, what);
            }
        }
    }

    /// <summary>Crops whose left, right, top and bottom edges fall in every column and row, then random ones.</summary>
    private static IEnumerable<CropBox> WindowCrops(int width, int height)
    {
        var random = new Random(15);
        double Fraction() => random.Next(2) * random.NextDouble();
        double Part() => 0.1 + 0.9 * random.NextDouble();
        for (int x = 0; x < width; x++)
        {
            double left = x + Fraction(), right = x + 1 - Fraction(), start = right * random.NextDouble();
            int top = random.Next(height), rows = random.Next(1, height + 1);
            yield return new CropBox(left, top, (width - left) * Part(), height - top);
            yield return new CropBox(start, 0, right - start, rows);
        }
        for (int y = 0; y < height; y++)
        {
            double top = y + Fraction(), bottom = y + 1 - Fraction(), start = bottom * random.NextDouble();
            int left = random.Next(width), columns = random.Next(1, width + 1);
            yield return new CropBox(left, top, width - left, (height - top) * Part());
            yield return new CropBox(0, start, columns, bottom - start);
        }
        for (int i = 0; i < 200; i++)
        {
            double cropWidth = width * Part(), cropHeight = height * Part();
            double left = (width - cropWidth) * random.NextDouble(), top = (height - cropHeight) * random.NextDouble();
            yield return new CropBox(left, top, cropWidth, cropHeight);
        }
    }

    /// <summary>The window holds what the bilinear filter reads: the crop and one pixel around it.</summary>
    private static void AssertCovers(PixelView window, CropBox crop, PixelView full, string what)
    {
        int left = Math.Max(0, (int)Math.Floor(crop.X * full.Scale) - 1);
        int top = Math.Max(0, (int)Math.Floor(crop.Y * full.Scale) - 1);
        int right = Math.Min(full.Width, (int)Math.Ceiling((crop.X + crop.Width) * full.Scale) + 1);
        int bottom = Math.Min(full.Height, (int)Math.Ceiling((crop.Y + crop.Height) * full.Scale) + 1);
        Assert.True(window.OffsetX <= left && window.OffsetX + window.Width >= right
            && window.OffsetY <= top && window.OffsetY + window.Height >= bottom, $"{what}: the window misses pixels");
    }

    /// <summary>Fails naming how many pixels of the window differ from the full decode, and the first few.</summary>
    private static void AssertSamePixels(PixelView window, PixelView full, string what)
    {
        var differing = new List<string>();
        for (int y = 0; y < window.Height; y++)
            for (int x = 0; x < window.Width; x++)
            {
                var decoded = At(window, x, y);
                var expected = At(full, x + window.OffsetX, y + window.OffsetY);
                if (decoded != expected)
                    differing.Add($"({x + window.OffsetX}, {y + window.OffsetY}): {decoded} instead of {expected}");
            }
        Assert.True(differing.Count == 0, $"{what}: {differing.Count} of {window.Width * window.Height} pixels of the "
            + $"window {window.OffsetX}, {window.OffsetY}, {window.Width} x {window.Height} differ, first "
            + string.Join(", ", differing.Take(3)));
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
        Assert.Equal(LibJpeg.Result.Unsupported,
            LibJpeg.ScaledSize(TestPaths.Fixture("Data", "cmyk.jpg"), 1, out _, out _, out _));
        Assert.Equal(LibJpeg.Result.Ok,
            LibJpeg.ScaledSize(TestPaths.Fixture("Data", "large.jpg"), 8, out int width, out int height, out _));
        Assert.Equal((32, 24), (width, height));
        using var reader = new ImageReader();
        using var cmyk = ImageReader.Open(TestPaths.Fixture("Data", "cmyk.jpg"));
        var view = reader.Decode(cmyk, 1.0, new CropBox(0, 0, 20, 10));
        Assert.True(view.Pixels[0] > 200 && view.Pixels[1] < 60);
    }
}
