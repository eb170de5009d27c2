using Cfcd.Modeling;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Native;

/// <summary>A network cfcd trains and the batch it trains it with; the check runs each of its convolutions.</summary>
public sealed record KernelCheckCase(string Name, ResNetLayout Layout, long Batch, long ImageSize);

/// <summary>One convolution as a network runs it: channels, kernel, stride and the map it reads.</summary>
public sealed record ConvolutionShape(
    long Batch, long InChannels, long OutChannels, long Kernel, long Stride, long Size)
{
    public override string ToString() =>
        $"{Batch}x{InChannels}x{Size}x{Size} -> {OutChannels}, {Kernel}x{Kernel} stride {Stride}";
}

/// <summary>The largest relative difference the check saw, and where.</summary>
public sealed record KernelCheckResult(bool Passed, double WorstError, string Worst);

/// <summary>
/// Whether this process's float32 CPU convolutions compute what they should: each convolution shape of the networks
/// cfcd trains, forward and backward (input and weight gradients), in float32 through the kernels in use and in
/// float64, which libtorch runs with its own convolutions and never with oneDNN. oneDNN picks its kernels and their
/// blocking per processor, so a result verified on one host says nothing about another: this is how cfcd finds out
/// on the host it runs on. A correct float32 kernel is within about 1e-5 of float64; the broken ones seen were off
/// by 20 to 50 percent, or killed the process.
/// </summary>
public static class KernelSelfCheck
{
    /// <summary>
    /// Largest relative difference accepted (max |float32 - float64| over max |float64|, per tensor).
    /// </summary>
    public const double Tolerance = 1e-3;

    /// <summary>
    /// The shapes cfcd runs: narrow ResNet-18s as the tests, smoke configs and demo train them, and a ResNet-50 at
    /// 224 (batch 2 is enough: oneDNN's kernel choice and blocking follow channels and map sizes, and the crash seen
    /// comes at batch 1 too).
    /// </summary>
    public static IReadOnlyList<KernelCheckCase> CfcdCases { get; } =
    [
        new("ResNet-18 width 4, 32 px", new ResNetLayout(18, 4), Batch: 16, ImageSize: 32),
        new("ResNet-18 width 16, 64 px", new ResNetLayout(18, 16), Batch: 8, ImageSize: 64),
        new("ResNet-18 width 16, 96 px", new ResNetLayout(18, 16), Batch: 4, ImageSize: 96),
        new("ResNet-50, 224 px", new ResNetLayout(50), Batch: 2, ImageSize: 224),
    ];

    /// <summary>
    /// Runs every distinct shape of the cases; <paramref name="convolution"/> replaces the float32 kernel (tests).
    /// </summary>
    public static KernelCheckResult Run(
        IEnumerable<KernelCheckCase> cases, Func<Tensor, Tensor, long, long, Tensor>? convolution = null)
    {
        convolution ??= Convolve;
        var worst = (Error: 0.0, Where: "nothing compared");
        foreach (var shape in cases.SelectMany(c => Convolutions(c.Layout, c.Batch, c.ImageSize)).Distinct())
            foreach (var (part, error) in Compare(shape, convolution))
                if (!(error <= worst.Error))   // NaN counts as worst
                    worst = (error, $"{part} of {shape}");
        return new KernelCheckResult(worst.Error <= Tolerance, worst.Error, worst.Where);
    }

    /// <summary>
    /// The network's convolutions in order, each with the map size it reads: the stem halves the image and its max
    /// pool halves it again; in a block, each convolution reads what the one before it wrote, the projection reads
    /// the block's input.
    /// </summary>
    public static IEnumerable<ConvolutionShape> Convolutions(ResNetLayout layout, long batch, long imageSize)
    {
        using var network = new ResNet(layout);
        long size = imageSize, blockInput = imageSize;
        string block = "";
        foreach (var (name, module) in network.named_modules())
        {
            if (module is not Conv2d conv)
                continue;
            string owner = name.Contains('.') ? string.Join('.', name.Split('.')[..2]) : "";
            if (owner != block)
                (block, blockInput) = (owner, size);
            bool projection = name.Contains(".downsample.", StringComparison.Ordinal);
            long input = projection ? blockInput : size;
            var (kernel, stride, padding) = (conv.kernel_size[0], conv.stride[0], conv.padding?[0] ?? 0);
            yield return new ConvolutionShape(batch, conv.in_channels, conv.out_channels, kernel, stride, input);
            if (projection)
                continue;
            long output = (input + 2 * padding - kernel) / stride + 1;
            size = owner.Length == 0 ? (output + 2 - 3) / 2 + 1 : output;   // the stem's 3x3 stride-2 max pool
        }
    }

    private static Tensor Convolve(Tensor input, Tensor weight, long stride, long padding) =>
        nn.functional.conv2d(input, weight, strides: [stride, stride], padding: [padding, padding]);

    private static IEnumerable<(string Part, double Error)> Compare(
        ConvolutionShape shape, Func<Tensor, Tensor, long, long, Tensor> convolution)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(20_231_001);
        var input = randn(
            [shape.Batch, shape.InChannels, shape.Size, shape.Size], dtype: ScalarType.Float64, generator: generator);
        var weight = randn(
                [shape.OutChannels, shape.InChannels, shape.Kernel, shape.Kernel],
                dtype: ScalarType.Float64,
                generator: generator)
            .div_(Math.Sqrt(shape.InChannels * shape.Kernel * shape.Kernel));
        long padding = shape.Kernel / 2;
        var single = Pass(
            input.to(ScalarType.Float32),
            weight.to(ScalarType.Float32),
            convolution,
            shape.Stride,
            padding,
            generator,
            seed: 7);
        var reference = Pass(input, weight, Convolve, shape.Stride, padding, generator, seed: 7);
        return
        [
            ("output", RelativeError(single.Output, reference.Output)),
            ("input gradient", RelativeError(single.InputGradient, reference.InputGradient)),
            ("weight gradient", RelativeError(single.WeightGradient, reference.WeightGradient)),
        ];
    }

    private static (Tensor Output, Tensor InputGradient, Tensor WeightGradient) Pass(Tensor input, Tensor weight,
        Func<Tensor, Tensor, long, long, Tensor> convolution, long stride, long padding, Generator generator, long seed)
    {
        input = input.detach().requires_grad_(true);
        weight = weight.detach().requires_grad_(true);
        var output = convolution(input, weight, stride, padding);
        generator.manual_seed(seed);
        var upstream = randn(output.shape, dtype: ScalarType.Float64, generator: generator).to(output.dtype);
        output.backward([upstream]);
        return (output.detach(), input.grad!, weight.grad!);
    }

    private static double RelativeError(Tensor actual, Tensor expected)
    {
        double scale = expected.abs().max().ToDouble();
        double difference = (actual.to(ScalarType.Float64) - expected).abs().max().ToDouble();
        return difference / Math.Max(scale, 1e-30);
    }
}
