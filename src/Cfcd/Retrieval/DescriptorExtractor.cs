using Cfcd.Data;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Retrieval;

/// <summary>
/// One global descriptor per image, as method.md section 5 computes it: the image (or a query's box) at original
/// size, for each scale a bilinear resize to (round(h s), round(w s)), the network's L2-normalised descriptor, then
/// the average over scales, L2-normalised again. The network runs in eval mode. Not thread-safe (one reader).
/// </summary>
public sealed class DescriptorExtractor : IDisposable
{
    public static readonly double[] DefaultScales = [0.3535, 0.5, 0.7071, 1.0, 1.4142];

    private readonly CfcdNet _network;
    private readonly InputConvention _convention;
    private readonly double[] _scales;
    private readonly Device _device;
    private readonly ImageReader _reader = new();

    public DescriptorExtractor(CfcdNet network, InputConvention convention, IReadOnlyList<double> scales, Device device)
    {
        if (scales.Count == 0 || scales.Any(scale => !(scale > 0)))
            throw new ArgumentException("scales must be positive and at least one", nameof(scales));
        _network = network;
        _convention = convention;
        _scales = [.. scales];
        _device = device;
        _network.to(device).eval();
    }

    public int Dimension => _network.Spec.DescriptorDim;

    /// <param name="bbx">A query's box [x1, y1, x2, y2] to crop to, or null for the whole image.</param>
    public float[] Extract(string path, IReadOnlyList<double>? bbx = null)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = Load(path, bbx).to(_device);
        long imageHeight = input.shape[2], imageWidth = input.shape[3];
        var sum = zeros([1, Dimension], device: _device);
        foreach (double scale in _scales)
        {
            long height = (long)Math.Round(imageHeight * scale), width = (long)Math.Round(imageWidth * scale);
            if (height < 1 || width < 1)
                throw new InputException($"{path}: an image of {imageWidth} x {imageHeight} is too small for scale {scale}");
            var scaled = scale == 1.0
                ? input
                : nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
            sum.add_(_network.forward(scaled));
        }
        return nn.functional.normalize(sum, p: 2, dim: 1).cpu().data<float>().ToArray();
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>The image (or its box) at original size as a normalised [1, 3, H, W] tensor: a resample at scale 1 copies.</summary>
    private Tensor Load(string path, IReadOnlyList<double>? bbx)
    {
        using var image = ImageReader.Open(path);
        var (width, height) = image.Size;
        var box = bbx is null ? CropBox.Whole(width, height) : CropBox.FromBbx(bbx, width, height);
        // A full decode, not a window: evaluation pixels stay exactly those of a plain decoder.
        var pixels = _reader.Decode(image);
        var input = empty(1, 3, (long)box.Height, (long)box.Width);
        Resampler.ToPlanes(pixels, box, (int)box.Width, (int)box.Height, mirror: false, new PlaneWriter(_convention),
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(input.bytes));
        return input;
    }
}
