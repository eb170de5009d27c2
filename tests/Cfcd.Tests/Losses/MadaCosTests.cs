using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class MadaCosTests
{
    private const double Alpha = 0.02;
    private static readonly double ScaleNumerator = Math.Log(9999999.0 * (1 - Alpha) / Alpha);

    /// <summary>A batch whose target cosines are <paramref name="targets"/> (labels 0, 1, ...) and other cosines
    /// <paramref name="others"/>.</summary>
    private static (Tensor Cosines, Tensor Labels) Batch(double[] targets, double others, int classes = 10)
    {
        var values = new float[targets.Length * classes];
        for (int i = 0; i < targets.Length; i++)
            for (int j = 0; j < classes; j++)
                values[i * classes + j] = j == i % classes ? (float)targets[i] : (float)others;
        return (tensor(values, [targets.Length, classes]),
            tensor(Enumerable.Range(0, targets.Length).Select(i => (long)(i % classes)).ToArray()));
    }

    [Fact]
    public void ScaleStaysAtTheFloorForLowMedians()
    {
        var (cosines, labels) = Batch([0.1, 0.2, 0.3, 0.35], 0.0);
        var statistics = new MadaCos(Alpha).Solve(cosines, labels, training: true);
        // Lower median of four: the second smallest, 0.2.
        Assert.Equal(0.2, statistics.MedianCosine, 6);
        Assert.Equal(32.0, statistics.Scale);
    }

    [Theory]
    [InlineData(0.7, 66.7)]
    [InlineData(0.9, 200.1)]
    public void ScaleGrowsWithTheMedian(double median, double expectedScale)
    {
        var (cosines, labels) = Batch([median - 0.1, median, median + 0.05], 0.1);
        var statistics = new MadaCos(Alpha).Solve(cosines, labels, training: true);
        Assert.Equal(ScaleNumerator / (1 - statistics.MedianCosine), statistics.Scale, 6);
        Assert.Equal(expectedScale, statistics.Scale, 0);
    }

    [Fact]
    public void TheMarginMakesTheMedianSamplesTargetProbabilityAlpha()
    {
        var (cosines, labels) = Batch([0.5, 0.62, 0.8], 0.3);
        var (loss, statistics) = new MadaCos(Alpha).Forward(cosines, labels, training: true);
        Assert.True(statistics.Margin > 0);
        // Median sample: target 0.62, nine others at 0.3: B = 9 exp(0.3 s).
        double s = statistics.Scale;
        Assert.Equal(Math.Log(9) + 0.3 * s, statistics.LogB, 4);
        double target = Math.Exp(s * (0.62 - statistics.Margin));
        Assert.Equal(Alpha, target / (target + 9 * Math.Exp(0.3 * s)), 4);
        Assert.True(loss.ToDouble() > 0);
    }

    [Fact]
    public void TheMarginIsClampedAtZeroAndZeroInEval()
    {
        // Targets far below the other classes: the median sample's probability is under alpha even without a margin,
        // so the solved margin is negative and is clamped to 0.
        var (cosines, labels) = Batch([0.1, 0.15, 0.2], 0.9);
        Assert.Equal(0, new MadaCos(Alpha).Solve(cosines, labels, training: true).Margin);
        var (separable, separableLabels) = Batch([0.5, 0.62, 0.8], 0.3);
        Assert.Equal(0, new MadaCos(Alpha).Solve(separable, separableLabels, training: false).Margin);
    }

    [Fact]
    public void NoOverflowAtScale200()
    {
        // Median 0.9 gives s = 200; exp(200 x 0.85) overflows float32, the log-space B does not.
        var (cosines, labels) = Batch([0.88, 0.9, 0.95], 0.85, classes: 5000);
        var statistics = new MadaCos(Alpha).Solve(cosines, labels, training: true);
        Assert.InRange(statistics.Scale, 199, 202);
        Assert.Equal(Math.Log(4999) + 0.85 * statistics.Scale, statistics.LogB, 3);
        double expectedMargin = 0.9 - (statistics.LogB + Math.Log(Alpha / (1 - Alpha))) / statistics.Scale;
        Assert.True(expectedMargin > 0);
        Assert.Equal(expectedMargin, statistics.Margin, 6);
    }

    [Fact]
    public void GradientIsScaleTimesTheSoftmaxGradient()
    {
        var (values, labels) = Batch([0.3, 0.5, 0.7, 0.2], 0.1, classes: 6);
        var noise = rand(values.shape) * 0.2;
        var cosines = (values + noise).detach().requires_grad_(true);
        var (loss, statistics) = new MadaCos(Alpha).Forward(cosines, labels, training: true);
        loss.backward();
        using var noGrad = no_grad();
        var oneHot = nn.functional.one_hot(labels, 6).to(ScalarType.Float32);
        var logits = cosines * statistics.Scale - oneHot * (statistics.Scale * statistics.Margin);
        var expected = (logits.softmax(1) - oneHot) * (statistics.Scale / 4);
        Assert.True(cosines.grad!.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }
}
