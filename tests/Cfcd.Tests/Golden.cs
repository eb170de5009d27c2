using Cfcd.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests;

/// <summary>Golden arrays written by PyTorch scripts (any shape, float32 .npy) and the comparisons made with
/// them.</summary>
internal static class Golden
{
    public static Tensor Load(params string[] fixture)
    {
        string path = TestPaths.Fixture(fixture);
        var header = Npy.ReadHeader(path);
        var raw = File.ReadAllBytes(path).AsSpan((int)header.DataOffset);
        var values = new float[header.Shape.Aggregate(1L, (product, extent) => product * extent)];
        Npy.Decode(raw, header.Type, values);
        return tensor(values, header.Shape);
    }

    /// <summary>max |actual - expected| / max |expected| must stay below <paramref name="tolerance"/>.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-4)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().ToDouble();
        double error = (actual - expected).abs().max().ToDouble();
        Assert.True(error <= tolerance * scale, $"relative error {error / scale:E2} exceeds {tolerance:E0}");
    }

    /// <summary>The same names with bitwise equal tensors.</summary>
    public static void AssertSameTensors(IReadOnlyDictionary<string, Tensor> expected,
        IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
            Assert.True(tensor.allclose(actual[name], rtol: 0, atol: 0), $"{name} differs");
    }
}
