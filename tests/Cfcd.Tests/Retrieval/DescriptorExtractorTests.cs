using Cfcd.Data;
using Cfcd.Modeling;
using Cfcd.Retrieval;
using static TorchSharp.torch;

namespace Cfcd.Tests.Retrieval;

public class DescriptorExtractorTests
{
    private static float[][] Extract(double[] scales)
    {
        string checkpoint = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");
        using var weights = NetworkWeights.Load(checkpoint);
        using var network = new CfcdNet(weights.CompleteSpec(checkpoint));
        weights.LoadInto(network, checkpoint);
        using var extractor = new DescriptorExtractor(network, weights.Convention, scales, CPU);
        return ImageList.Read(TestPaths.Fixture("Modeling", "images.txt"))
            .Select(path => extractor.Extract(path))
            .ToArray();
    }

    private static Tensor Rows(float[][] rows) => tensor(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]);

    [Fact]
    public void SingleScaleMatchesPyTorch() =>
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_single.npy"), Rows(Extract([1.0])));

    [Fact]
    public void MultiScaleMatchesPyTorch() =>
        Golden.AssertClose(Golden.Load("Modeling", "cfcd_r50w4_multi.npy"), Rows(Extract(DescriptorExtractor.DefaultScales)));

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
        string checkpoint = TestPaths.Fixture("Modeling", "cfcd_r50w4.pyth");
        using var weights = NetworkWeights.Load(checkpoint);
        using var network = new CfcdNet(weights.CompleteSpec(checkpoint));
        weights.LoadInto(network, checkpoint);
        using var extractor = new DescriptorExtractor(network, weights.Convention, [1.0], CPU);
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
