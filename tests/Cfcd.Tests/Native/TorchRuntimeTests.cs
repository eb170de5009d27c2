using Cfcd.Native;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace Cfcd.Tests.Native;

public class TorchRuntimeTests
{
    [Fact]
    public void TensorOperationsRunOnLibTorch()
    {
        using var scope = torch.NewDisposeScope();
        var left = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        var right = torch.tensor(new float[] { 7, 8, 9, 10, 11, 12 }).reshape(3, 2);
        var product = left.matmul(right).data<float>().ToArray();
        Assert.Equal(new float[] { 58, 64, 139, 154 }, product);
    }

    [Fact]
    public void TensorCheckComputesTheExpectedProduct()
    {
        Assert.Equal("[[6, 6], [6, 6]]", TorchRuntime.RunTensorCheck());
    }

    [Fact]
    public void DescribeReportsLibTorch210AndTheLoadedNativeLibraries()
    {
        var report = TorchRuntime.Describe(NullLogger.Instance);
        Assert.StartsWith("2.10", report.LibTorchVersion);
        Assert.Equal("0.107.0", report.TorchSharpVersion);
        Assert.True(report.CpuThreads >= 1);
        Assert.Contains(report.NativeLibraries, path => path.EndsWith("libLibTorchSharp.so", StringComparison.Ordinal));
        Assert.Contains(report.NativeLibraries, path => path.EndsWith("libtorch_cpu.so", StringComparison.Ordinal));
    }
}
