using Cfcd.Config;
using Cfcd.Data;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace Cfcd.Tests.Data;

public class BatchLoaderTests
{
    private static readonly DataConfig Data = new() { ImageSize = 24, Workers = 2, Prefetch = 2 };

    /// <summary>Twelve copies of the fixture JPEG, labels 0..11, plus the given broken files appended.</summary>
    private static List<ImageSample> Samples(string folder, params (string Name, byte[] Bytes)[] broken)
    {
        var samples = new List<ImageSample>();
        var jpeg = File.ReadAllBytes(TestPaths.Fixture("Data", "large.jpg"));
        for (int i = 0; i < 12; i++)
        {
            string path = Path.Combine(folder, $"{i}.jpg");
            File.WriteAllBytes(path, jpeg);
            samples.Add(new ImageSample(path, i));
        }
        foreach (var (name, bytes) in broken)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllBytes(path, bytes);
            samples.Add(new ImageSample(path, samples.Count));
        }
        return samples;
    }

    private static List<(float[] Images, long[] Labels)> ReadEpoch(BatchLoader loader, int epoch,
        IReadOnlyList<int[]> plan)
    {
        var batches = new List<(float[], long[])>();
        foreach (var batch in loader.Epoch(epoch, plan, CancellationToken.None))
            using (batch)
                batches.Add((batch.Images.data<float>().ToArray(), batch.Labels.data<long>().ToArray()));
        return batches;
    }

    [Fact]
    public void AugmentationDependsOnSeedEpochAndPositionNotOnWorkers()
    {
        var samples = Samples(TestPaths.NewTempFolder());
        var plan = new RandomSampler(samples.Count, 4, seed: 5).Epoch(0);
        var transform = new TrainTransform(Data, InputConvention.Pycls);
        var one =
            ReadEpoch(new BatchLoader(samples, transform, new LoaderOptions(1, 1, 0), 9, NullLogger.Instance), 0, plan);
        var three =
            ReadEpoch(new BatchLoader(samples, transform, new LoaderOptions(3, 4, 0), 9, NullLogger.Instance), 0, plan);
        Assert.Equal(3, one.Count);
        for (int b = 0; b < one.Count; b++)
        {
            Assert.Equal(one[b].Labels, three[b].Labels);
            Assert.Equal(one[b].Images, three[b].Images);
            Assert.Equal(plan[b].Select(i => (long)i), one[b].Labels);
        }
        var nextEpoch =
            ReadEpoch(new BatchLoader(samples, transform, new LoaderOptions(2, 2, 0), 9, NullLogger.Instance), 1, plan);
        Assert.NotEqual(one[0].Images, nextEpoch[0].Images);
    }

    [Fact]
    public void UnreadableImagesAreSkippedCountedAndTakeTheirGroupWithThem()
    {
        var jpeg = File.ReadAllBytes(TestPaths.Fixture("Data", "large.jpg"));
        var samples = Samples(TestPaths.NewTempFolder(), ("truncated.jpg", jpeg[..(jpeg.Length / 2)]),
            ("text.jpg", "not a jpeg"u8.ToArray()));
        samples.Add(new ImageSample(Path.Combine(TestPaths.NewTempFolder(), "missing.jpg"), 14));
        // Groups of two: (0, 12) and (13, 1) lose a member; (2, 3) and (14, 4)...
        int[][] plan = [[0, 12, 2, 3], [13, 1, 5, 6], [14, 4, 7, 8]];
        var loader = new BatchLoader(samples, new TrainTransform(Data, InputConvention.Pycls),
            new LoaderOptions(2, 2, 0.5, GroupSize: 2), 1, NullLogger.Instance);
        var counts = new List<(int[] Indices, int Skipped)>();
        foreach (var batch in loader.Epoch(0, plan, CancellationToken.None))
            using (batch)
            {
                Assert.Equal(batch.Count, (int)batch.Images.shape[0]);
                counts.Add((batch.SampleIndices, batch.Skipped));
            }
        Assert.Equal([2, 3], counts[0].Indices);
        Assert.Equal([5, 6], counts[1].Indices);
        Assert.Equal([7, 8], counts[2].Indices);
        Assert.All(counts, batch => Assert.Equal(2, batch.Skipped));
        Assert.Equal(new EpochReadStats(12, 3, loader.LastEpoch!.Failures), loader.LastEpoch);
        Assert.Contains(loader.LastEpoch.Failures,
            failure => failure.Contains("truncated.jpg: the image is damaged or truncated"));
        Assert.Contains(loader.LastEpoch.Failures, failure => failure.Contains("missing.jpg: no such image file"));
    }

    [Fact]
    public void ImagesOverThePixelLimitAreSkippedAndCounted()
    {
        var samples = Samples(TestPaths.NewTempFolder(), ("bomb.png", HostileImages.Png(60000, 60000)),
            ("bomb.jpg", HostileImages.ProgressiveJpeg(60000, 60000)));
        var transform = new TrainTransform(Data, InputConvention.Pycls);
        var loader = new BatchLoader(samples, transform, new LoaderOptions(2, 2, 0.5), 1, NullLogger.Instance);
        var batches = ReadEpoch(loader, 0, [[0, 12, 1], [13, 2]]);
        Assert.Equal(new long[][] { [0, 1], [2] }, batches.Select(batch => batch.Labels).ToArray());
        Assert.Equal(new EpochReadStats(5, 2, loader.LastEpoch!.Failures), loader.LastEpoch);
        Assert.Equal($"{samples[12].Path}: 60000 x 60000 pixels (3600 megapixels) is over the data.max_image_pixels " +
                     "limit of 100 megapixels; not decoded", loader.LastEpoch.Failures[0]);
    }

    [Fact]
    public void TooManyFailuresStopTheEpoch()
    {
        var samples = Samples(TestPaths.NewTempFolder(), ("bad.jpg", [1, 2, 3]));
        var loader = new BatchLoader(samples, new EvalTransform(28, 24, InputConvention.Pycls),
            new LoaderOptions(1, 1, 0.05), 1, NullLogger.Instance);
        var error = Assert.Throws<InputException>(() => ReadEpoch(loader, 0, [[0, 1, 2], [3, 12]]));
        Assert.StartsWith("1 of 5 images of epoch 0 could not be read, over max_failure_rate 0.05; the first: ",
            error.Message);
    }

    [Fact]
    public void CancellationEndsTheEpochCleanly()
    {
        var samples = Samples(TestPaths.NewTempFolder());
        var loader = new BatchLoader(samples, new TrainTransform(Data, InputConvention.Pycls),
            new LoaderOptions(2, 2, 0), 1, NullLogger.Instance);
        using var cancellation = new CancellationTokenSource();
        var plan = new RandomSampler(samples.Count, 2, 1).Epoch(0);
        int seen = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(0, plan, cancellation.Token))
                using (batch)
                {
                    seen++;
                    cancellation.Cancel();
                }
        });
        Assert.Equal(1, seen);
        // The loader is usable again afterwards.
        Assert.Equal(6, ReadEpoch(loader, 1, plan).Count);
    }
}
