using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class FixedMarginLossesTests
{
    [Fact]
    public void HeadsMatchTheirFormulas()
    {
        var cosines = tensor(new float[] { 0.5f, 0.1f, -0.2f }, [1, 3]);
        var labels = tensor(new long[] { 0 });
        double Expected(double target, double[] others) =>
            -target + Math.Log(Math.Exp(target) + others.Sum(Math.Exp));
        Assert.Equal(Expected(15, [3, -6]), FixedMarginLosses.Softmax(cosines, labels, 30).ToDouble(), 4);
        Assert.Equal(Expected(30 * 0.35, [3, -6]), FixedMarginLosses.CosFace(cosines, labels, 30, 0.15).ToDouble(), 4);
        Assert.Equal(Expected(30 * Math.Cos(Math.Acos(0.5) + 0.15), [3, -6]),
            FixedMarginLosses.ArcFace(cosines, labels, 30, 0.15).ToDouble(), 3);
    }
}
