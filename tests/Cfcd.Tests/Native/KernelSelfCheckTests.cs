using Cfcd.Modeling;
using Cfcd.Native;
using static TorchSharp.torch;

namespace Cfcd.Tests.Native;

public class KernelSelfCheckTests
{
    [Fact]
    public void AResNet50At224HasItsConvolutionsAtTheirMapSizes()
    {
        var shapes = KernelSelfCheck.Convolutions(new ResNetLayout(50), batch: 2, imageSize: 224).ToList();
        Assert.Equal(53, shapes.Count);   // stem + 16 blocks x 3 + 4 projections
        Assert.Equal(new ConvolutionShape(2, 3, 64, 7, 2, 224), shapes[0]);
        Assert.Equal(new ConvolutionShape(2, 64, 64, 1, 1, 56), shapes[1]);
        // layer2.0: 1x1 at 56, the strided 3x3 at 56, 1x1 at 28, and the strided projection of the block's input at 56.
        int layer2 = 1 + 3 * 3 + 1;
        Assert.Equal(new ConvolutionShape(2, 256, 128, 1, 1, 56), shapes[layer2]);
        Assert.Equal(new ConvolutionShape(2, 128, 128, 3, 2, 56), shapes[layer2 + 1]);
        Assert.Equal(new ConvolutionShape(2, 128, 512, 1, 1, 28), shapes[layer2 + 2]);
        Assert.Equal(new ConvolutionShape(2, 256, 512, 1, 2, 56), shapes[layer2 + 3]);
        // The projection that crashed oneDNN on a VM without cache leaves: layer4.0's, 1024 -> 2048 at 14.
        Assert.Contains(new ConvolutionShape(2, 1024, 2048, 1, 2, 14), shapes);
        Assert.Equal(new ConvolutionShape(2, 512, 512, 3, 1, 7), shapes[^2]);
    }

    [Fact]
    public void ANarrowResNet18ReadsItsMapsAtEveryStride()
    {
        var sizes = KernelSelfCheck.Convolutions(new ResNetLayout(18, 4), batch: 16, imageSize: 32)
            .Select(s => (s.InChannels, s.OutChannels, s.Kernel, s.Stride, s.Size)).ToList();
        Assert.Equal(
            [
                (3, 4, 7, 2, 32),
                (4, 4, 3, 1, 8), (4, 4, 3, 1, 8), (4, 4, 3, 1, 8), (4, 4, 3, 1, 8),
                (4, 8, 3, 2, 8), (8, 8, 3, 1, 4), (4, 8, 1, 2, 8), (8, 8, 3, 1, 4), (8, 8, 3, 1, 4),
                (8, 16, 3, 2, 4), (16, 16, 3, 1, 2), (8, 16, 1, 2, 4), (16, 16, 3, 1, 2), (16, 16, 3, 1, 2),
                (16, 32, 3, 2, 2), (32, 32, 3, 1, 1), (16, 32, 1, 2, 2), (32, 32, 3, 1, 1), (32, 32, 3, 1, 1),
            ],
            sizes.Select(s => ((int)s.InChannels, (int)s.OutChannels, (int)s.Kernel, (int)s.Stride, (int)s.Size)));
    }

    private static readonly KernelCheckCase Narrow = new("ResNet-18 width 4, 32 px", new ResNetLayout(18, 4), 16, 32);

    [Fact]
    public void TheKernelsInUsePassOnANarrowNetwork()
    {
        var result = KernelSelfCheck.Run([Narrow]);
        Assert.True(result.Passed, $"{result.WorstError}: {result.Worst}");
        Assert.True(result.WorstError < 1e-4);
    }

    [Fact]
    public void AWrongInputGradientIsFoundAndNamed()
    {
        // Right forward values and weight gradients, an input gradient 1.5 times too large: the failure seen on the
        // AVX-512 VM, where oneDNN's backward-data kernels for narrow channels were off by 25 to 47 percent.
        var result = KernelSelfCheck.Run([Narrow], (input, weight, stride, padding) =>
        {
            var scaled = input + (input - input.detach()) * 0.5;
            return nn.functional.conv2d(scaled, weight, strides: [stride, stride], padding: [padding, padding]);
        });
        Assert.False(result.Passed);
        Assert.Equal(0.5, result.WorstError, tolerance: 1e-3);
        Assert.StartsWith("input gradient of 16x", result.Worst);
    }

    [Fact]
    public void NotANumberFails()
    {
        var result = KernelSelfCheck.Run([Narrow], (input, weight, stride, padding) =>
            nn.functional.conv2d(input, weight, strides: [stride, stride], padding: [padding, padding]) * double.NaN);
        Assert.False(result.Passed);
    }
}
