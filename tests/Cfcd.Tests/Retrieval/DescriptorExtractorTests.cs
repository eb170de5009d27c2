using Cfcd.Data;
using Cfcd.Modeling;
using Cfcd.Retrieval;
using Cfcd.Tests.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Retrieval;

public class DescriptorExtractorTests
{
    private static float[][] Extract(double[] scales)
    {
        using var model = FixtureModel.Load();
        var (convention, network) = (model.Convention, model.Network);
        using var extractor = new DescriptorExtractor(network, convention, scales, CPU);
        return ImageList.Read(TestPaths.Fixture("Modeling", "images.txt"))
            .Select(path => extractor.Extract(path))
            .ToArray();
    }

    private static Tensor Rows(float[][] rows) =>
        tensor(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]);

    [Fact]
    public void SingleScaleMatchesPyTorch() =>
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_single.npy"), Rows(Extract([1.0])));

    [Fact]
    public void MultiScaleMatchesPyTorch() =>
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_multi.npy"),
            Rows(Extract(DescriptorExtractor.DefaultScales)));

    [Fact]
    public void ManyImagesAtOnceGiveTheRowsOfOneAtATimeAndZeroRowsForUnreadableOnes()
    {
        using var model = FixtureModel.Load();
        var (convention, network) = (model.Convention, model.Network);
        var paths = ImageList.Read(TestPaths.Fixture("Modeling", "images.txt"));
        // Repeats make batches of equal sizes; the missing file sits between them.
        var items = paths.Concat(paths).Append("/nonexistent.png").Concat(paths)
            .Select(path => new ExtractionItem(path)).ToList();
        items[1] = items[1] with { Box = [10, 5, 90, 65] };
        using var extractor = new DescriptorExtractor(network, convention, [0.5, 1.0], CPU,
            new ExtractionOptions(Workers: 2, Prefetch: 4, MaxBatch: 3));
        var rows = new float[items.Count * extractor.Dimension];
        var problems = extractor.ExtractMany(items, rows);
        Assert.Equal([6], problems.Select(problem => problem.Index));
        Assert.Contains("/nonexistent.png: no such image file", problems[0].Problem);
        for (int i = 0; i < items.Count; i++)
        {
            var row = tensor(rows.AsSpan(i * extractor.Dimension, extractor.Dimension).ToArray());
            var expected = i == 6 ? zeros(extractor.Dimension) : tensor(extractor.Extract(items[i].Path, items[i].Box));
            Assert.True(expected.allclose(row, rtol: 0, atol: 1e-5), $"row {i}");
        }
    }

    [Fact]
    public void ALongerSideCapShrinksOnlyLargerImages()
    {
        using var model = FixtureModel.Load();
        var (convention, network) = (model.Convention, model.Network);
        var items = ImageList.Read(TestPaths.Fixture("Modeling", "images.txt")).Select(path => new ExtractionItem(path))
            .ToList();
        float[] Rows(int maxSize)
        {
            using var extractor = new DescriptorExtractor(network, convention, [1.0], CPU,
                new ExtractionOptions(MaxSize: maxSize));
            var rows = new float[items.Count * extractor.Dimension];
            Assert.Empty(extractor.ExtractMany(items, rows));
            return rows;
        }
        var original = Rows(0);
        Assert.Equal(original, Rows(4096));
        var capped = Rows(64);
        Assert.NotEqual(original, capped);
        Assert.Equal(items.Count, tensor(capped, [items.Count, 24]).pow(2).sum().ToDouble(), 4);
    }

    [Fact]
    public unsafe void AJpegOverThePixelLimitIsDescribedAtItsReducedDecode()
    {
        using var model = FixtureModel.Load();
        var (convention, network) = (model.Convention, model.Network);
        string folder = TestPaths.NewTempFolder();
        string jpeg = HostileImages.Write(folder, "photo.jpg", HostileImages.Jpeg(200, 160));
        // 200 x 160 is over 10,000 pixels; the half-size decode (100 x 80) is within. The same pixels as a PNG
        // give the same descriptor: the network saw the reduced decode, not an upscaled one.
        var limit = new PixelLimit(10_000, "--max-image-pixels");
        using var reader = new ImageReader(limit);
        using (var image = ImageReader.Open(jpeg))
        {
            var pixels = reader.Decode(image);
            Assert.Equal((100, 80), (pixels.Width, pixels.Height));
            using var bitmap = new SKBitmap(new SKImageInfo(100, 80, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            byte* target = (byte*)bitmap.GetPixels();
            for (int y = 0; y < 80; y++)
                Buffer.MemoryCopy(pixels.Pixels + y * pixels.Stride, target + y * bitmap.RowBytes, 400, 400);
            using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            HostileImages.Write(folder, "half.png", png.ToArray());
        }
        using var limited = new DescriptorExtractor(network, convention, [1.0], CPU,
            new ExtractionOptions(MaxImagePixels: limit.Pixels));
        using var plain = new DescriptorExtractor(network, convention, [1.0], CPU);
        Assert.Equal(plain.Extract(Path.Combine(folder, "half.png")), limited.Extract(jpeg));
    }

    [Fact]
    public void DescriptorsHaveUnitLength()
    {
        foreach (var row in Extract([0.5, 1.0]))
            Assert.Equal(1.0, Math.Sqrt(row.Sum(value => (double)value * value)), 5);
    }
}

public class QueryCropTests
{
    [Fact]
    public void AQueryBoxIsCroppedBeforeExtraction()
    {
        // The descriptor of image0 cropped to a box equals that of the same crop saved as its own PNG.
        using var model = FixtureModel.Load();
        var (convention, network) = (model.Convention, model.Network);
        using var extractor = new DescriptorExtractor(network, convention, [1.0], CPU);
        string image = TestPaths.Fixture("Modeling", "image0.png");
        string cropped = Path.Combine(TestPaths.NewTempFolder(), "crop.png");
        using (var bitmap = SkiaSharp.SKBitmap.Decode(image))
        using (var subset = new SkiaSharp.SKBitmap())
        {
            Assert.True(bitmap.ExtractSubset(subset, new SkiaSharp.SKRectI(10, 5, 90, 65)));
            using var data = subset.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(cropped, data.ToArray());
        }
        var fromBox = extractor.Extract(image, [10.7, 5.2, 90.9, 65.0]);
        var fromFile = extractor.Extract(cropped);
        Assert.Equal(fromFile, fromBox);
    }
}
