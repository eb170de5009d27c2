using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Cfcd.Data;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Retrieval;

/// <summary>An image to describe: its path and, for a query, the box to crop it to ([x1, y1, x2, y2]).</summary>
public sealed record ExtractionItem(string Path, IReadOnlyList<double>? Box = null);

/// <summary>How <see cref="DescriptorExtractor.ExtractMany"/> runs.</summary>
/// <param name="Workers">Decode threads.</param>
/// <param name="Prefetch">Decoded images waiting for the network, at most.</param>
/// <param name="MaxSize">Longer side cap before the scales apply (bilinear down-scale); 0: original size.</param>
/// <param name="MaxBatch">Images of equal size described in one forward pass, at most.</param>
/// <param name="MaxImagePixels">The most pixels an image may decode into (--max-image-pixels).</param>
public sealed record ExtractionOptions(int Workers = 2, int Prefetch = 4, int MaxSize = 0, int MaxBatch = 1,
    long MaxImagePixels = PixelLimit.DefaultPixels)
{
    /// <summary>
    /// The options for <paramref name="device"/>: a batch of 8 on CUDA and 1 on the CPU (where batching measured
    /// no faster and took 4x the memory) unless <paramref name="batch"/> says otherwise, and two batches (at least
    /// 4 images) prefetched.
    /// </summary>
    public static ExtractionOptions For(Device device, int workers, int? batch = null, int maxSize = 0,
        long maxImagePixels = PixelLimit.DefaultPixels)
    {
        int maxBatch = batch ?? (device.type == DeviceType.CUDA ? 8 : 1);
        return new ExtractionOptions(workers, Math.Max(4, 2 * maxBatch), maxSize, maxBatch, maxImagePixels);
    }
}

/// <summary>
/// Global descriptors as docs/method.md section 5 computes them: the image (or a query's box) at original size, for
/// each scale a bilinear resize to (round(h s), round(w s)), the network's L2-normalised descriptor, then the average
/// over scales, L2-normalised again. The network runs in eval mode. <see cref="ExtractMany"/> decodes on worker
/// threads ahead of the network and describes images of equal size together; its rows do not depend on that
/// batching.
/// </summary>
public sealed class DescriptorExtractor : IDisposable
{
    public static readonly double[] DefaultScales = [0.3535, 0.5, 0.7071, 1.0, 1.4142];

    private readonly CfcdNet _network;
    private readonly InputConvention _convention;
    private readonly double[] _scales;
    private readonly Device _device;
    private readonly ExtractionOptions _options;
    private readonly ImageReader _reader;

    public DescriptorExtractor(CfcdNet network, InputConvention convention, IReadOnlyList<double> scales, Device device,
        ExtractionOptions? options = null)
    {
        if (scales.Count == 0 || scales.Any(scale => !(scale > 0)))
            throw new ArgumentException("scales must be positive and at least one", nameof(scales));
        _network = network;
        _convention = convention;
        _scales = [.. scales];
        _device = device;
        _options = options ?? new ExtractionOptions();
        _reader = NewReader();
        _network.to(device).eval();
    }

    public int Dimension => _network.Spec.DescriptorDim;

    /// <param name="bbx">A query's box [x1, y1, x2, y2] to crop to, or null for the whole image.</param>
    public float[] Extract(string path, IReadOnlyList<double>? bbx = null)
    {
        using var input = Load(_reader, new ExtractionItem(path, bbx));
        using var scope = NewDisposeScope();
        return Describe(input.unsqueeze(0), path).cpu().data<float>().ToArray();
    }

    /// <summary>
    /// Describes <paramref name="items"/> into <paramref name="destination"/> (row i at i x <see cref="Dimension"/>).
    /// An image that cannot be read gets a zero row; the problems are returned by item index.
    /// </summary>
    /// <param name="progress">Receives the number of items done.</param>
    public IReadOnlyList<(int Index, string Problem)> ExtractMany(IReadOnlyList<ExtractionItem> items,
        float[] destination,
        IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        if (destination.Length < (long)items.Count * Dimension)
            throw new ArgumentException($"{items.Count} rows of {Dimension} do not fit in {destination.Length} values",
                nameof(destination));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var ready =
            new BlockingCollection<(int Index, Tensor? Image, string? Problem)>(Math.Max(1, _options.Prefetch));
        int next = -1, running = Math.Max(1, _options.Workers);
        var workers = Enumerable.Range(0, running).Select(_ => new Thread(() =>
        {
            using var reader = NewReader();
            try
            {
                for (int index; (index = Interlocked.Increment(ref next)) < items.Count
                    && !stop.IsCancellationRequested;)
                {
                    (int, Tensor?, string?) loaded;
                    try
                    {
                        loaded = (index, Load(reader, items[index]), null);
                    }
                    catch (InputException unreadable)
                    {
                        loaded = (index, null, unreadable.Message);
                    }
                    ready.Add(loaded, stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The consumer stopped; nothing more to load.
            }
            finally
            {
                if (Interlocked.Decrement(ref running) == 0)
                    ready.CompleteAdding();
            }
        }) { IsBackground = true, Name = "cfcd-extract" }).ToList();
        workers.ForEach(worker => worker.Start());

        var problems = new List<(int, string)>();
        var pending = new List<(int Index, Tensor Image)>();
        int done = 0;
        try
        {
            foreach (var (index, image, problem) in ready.GetConsumingEnumerable(cancellation))
            {
                if (image is null)
                {
                    problems.Add((index, problem!));
                    Array.Clear(destination, index * Dimension, Dimension);
                    progress?.Report(++done);
                }
                else
                {
                    pending.Add((index, image));
                }
                // Describe what has arrived once a batch is full or the decoders are behind: never wait with work at
                // hand.
                if (pending.Count >= _options.MaxBatch || (pending.Count > 0 && ready.Count == 0))
                {
                    done += DescribeAll(pending, items, destination);
                    progress?.Report(done);
                }
            }
            done += DescribeAll(pending, items, destination);
            progress?.Report(done);
        }
        finally
        {
            stop.Cancel();
            workers.ForEach(worker => worker.Join());
            foreach (var (_, image) in pending)
                image.Dispose();
            while (ready.TryTake(out var left))
                left.Image?.Dispose();
        }
        return problems;
    }

    public void Dispose() => _reader.Dispose();

    private ImageReader NewReader() => new(new PixelLimit(_options.MaxImagePixels, "--max-image-pixels"));

    /// <summary>Describes the waiting images, those of equal size in batches, and writes their rows; returns how
    /// many.</summary>
    private int DescribeAll(List<(int Index, Tensor Image)> pending, IReadOnlyList<ExtractionItem> items,
        float[] destination)
    {
        int count = pending.Count;
        foreach (var group in pending.GroupBy(entry => (entry.Image.shape[1], entry.Image.shape[2])))
        {
            using var scope = NewDisposeScope();
            var members = group.ToList();
            var batch = stack(members.Select(entry => entry.Image));
            var rows = Describe(batch, items[members[0].Index].Path).cpu().data<float>().ToArray();
            for (int member = 0; member < members.Count; member++)
                Array.Copy(rows, member * Dimension, destination, (long)members[member].Index * Dimension, Dimension);
        }
        foreach (var (_, image) in pending)
            image.Dispose();
        pending.Clear();
        return count;
    }

    /// <summary>Unit-length multi-scale descriptors [n, D] of a batch of normalised images [n, 3, H, W] of one
    /// size.</summary>
    private Tensor Describe(Tensor images, string firstPath)
    {
        using var noGrad = no_grad();
        var input = images.to(_device);
        long imageHeight = input.shape[2], imageWidth = input.shape[3];
        var sum = zeros([input.shape[0], Dimension], device: _device);
        foreach (double scale in _scales)
        {
            long height = (long)Math.Round(imageHeight * scale), width = (long)Math.Round(imageWidth * scale);
            if (height < 1 || width < 1)
                throw new InputException($"{firstPath}: an image of {imageWidth} x {imageHeight} is too small for " +
                                         $"scale {scale}");
            var scaled = scale == 1.0
                ? input
                : nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Bilinear,
                    align_corners: false);
            sum.add_(_network.forward(scaled));
        }
        return nn.functional.normalize(sum, p: 2, dim: 1);
    }

    /// <summary>
    /// The image (or its box) as a normalised [3, H, W] tensor at original size, or with its longer side capped at
    /// <see cref="ExtractionOptions.MaxSize"/>; a full decode, so the pixels are exactly those of a plain decoder. A
    /// JPEG over the pixel limit is decoded smaller and described at that size: the tensor never has more pixels than
    /// the decode.
    /// </summary>
    private Tensor Load(ImageReader reader, ExtractionItem item)
    {
        using var image = ImageReader.Open(item.Path);
        var (width, height) = image.Size;
        var box = item.Box is null ? CropBox.Whole(width, height) : CropBox.FromBbx(item.Box, width, height);
        var pixels = reader.Decode(image);
        double shrink = _options.MaxSize > 0 ? Math.Min(1.0, _options.MaxSize / Math.Max(box.Width, box.Height)) : 1.0;
        shrink = Math.Min(shrink, pixels.Scale);
        int outputWidth = Math.Max(1, (int)Math.Round(box.Width * shrink)),
            outputHeight = Math.Max(1, (int)Math.Round(box.Height * shrink));
        var input = empty(3, outputHeight, outputWidth);
        Resampler.ToPlanes(pixels, box, outputWidth, outputHeight, mirror: false, new PlaneWriter(_convention),
            MemoryMarshal.Cast<byte, float>(input.bytes));
        return input;
    }
}
