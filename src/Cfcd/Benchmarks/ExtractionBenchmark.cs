using System.Diagnostics;
using Cfcd.Modeling;
using Cfcd.Native;
using Cfcd.Retrieval;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Benchmarks;

/// <summary>Multi-scale extraction throughput over image files: decode, normalise, the network at every scale, rows
/// out.</summary>
public sealed record ExtractionMeasurement(int Images, double Seconds, double ImagesPerSecond, int Unreadable,
    long PeakResidentBytes);

/// <summary>
/// Times <see cref="DescriptorExtractor.ExtractMany"/> (decode threads ahead of the network, equal sizes batched) on a
/// network with random weights, after one untimed image.
/// </summary>
public static class ExtractionBenchmark
{
    public static ExtractionMeasurement Run(NetworkSpec spec, IReadOnlyList<string> images,
        IReadOnlyList<double> scales, ExtractionOptions options,
        Device device, CancellationToken cancellation)
    {
        manual_seed(1);
        using var network = new CfcdNet(spec);
        using var extractor = new DescriptorExtractor(network, InputConvention.Pycls, scales, device, options);
        extractor.Extract(images[0]);
        var items = images.Select(path => new ExtractionItem(path)).ToList();
        var rows = new float[items.Count * extractor.Dimension];
        var clock = Stopwatch.StartNew();
        var unreadable = extractor.ExtractMany(items, rows, cancellation: cancellation);
        double seconds = clock.Elapsed.TotalSeconds;
        return new ExtractionMeasurement(items.Count, seconds, items.Count / seconds, unreadable.Count,
            ProcessMemory.PeakResidentBytes());
    }
}
