using Cfcd.Data;
using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Retrieval;

/// <summary>
/// One global descriptor per image, as method.md section 5 computes it: the image at original size, for each scale
/// a bilinear resize to (round(h s), round(w s)), the network's L2-normalised descriptor, then the average over
/// scales, L2-normalised again. The network runs in eval mode.
/// </summary>
public sealed class DescriptorExtractor
{
    public static readonly double[] DefaultScales = [0.3535, 0.5, 0.7071, 1.0, 1.4142];

    private readonly CfcdNet _network;
    private readonly InputConvention _convention;
    private readonly double[] _scales;
    private readonly Device _device;

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

    public float[] Extract(RgbImage image)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = InputTensor.FromImage(image, _convention).to(_device);
        var sum = zeros([1, Dimension], device: _device);
        foreach (double scale in _scales)
        {
            long height = (long)Math.Round(image.Height * scale), width = (long)Math.Round(image.Width * scale);
            if (height < 1 || width < 1)
                throw new InputException($"an image of {image.Width} x {image.Height} is too small for scale {scale}");
            var scaled = scale == 1.0
                ? input
                : nn.functional.interpolate(input, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
            sum.add_(_network.forward(scaled));
        }
        return nn.functional.normalize(sum, p: 2, dim: 1).cpu().data<float>().ToArray();
    }
}
