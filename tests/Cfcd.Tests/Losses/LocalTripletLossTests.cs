using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class LocalTripletLossTests
{
    /// <summary>A [C, 1, K] res4 map whose locations are the given (non-negative) vectors.</summary>
    private static Tensor Map(params float[][] locations) =>
        tensor(locations.SelectMany(v => v).ToArray(), [locations.Length, locations[0].Length]).t().unsqueeze(1);

    [Fact]
    public void MatchesSurviveMutualityRatioAndAttention()
    {
        var loss = new LocalTripletLoss(margin: 0.1, loweRatio: 0.9, attentionKeep: 0.5);
        // Anchor descriptors x, y, z. Positives: near x, near y, between x and z, and one near x, y and z alike.
        var anchor = tensor(new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, [3, 3]);
        var positive = nn.functional.normalize(tensor(new float[] { 1, 0.05f, 0, 0, 1, 0.02f, 0.55f, 0.1f, 0.6f, 0.6f,
            0.58f, 0.55f }, [4, 3]), p: 2, dim: 1);
        var attention = tensor(new float[] { 5, 1, 4, 3 });
        var (anchorIndex, positiveIndex) = loss.Match(anchor, positive, attention);
        // Positive 0 <-> anchor 0: mutual, clear ratio, top-2 attention: kept. Positive 1 <-> anchor 1: mutual and
        // clear, but its attention is the lowest: dropped. Positive 2 is z's mutual nearest, in the attention top 2,
        // but its distances to z (0.733) and x (0.812) are too close: ratio 0.903 > 0.9, dropped. Positive 3's
        // nearest anchor is x, whose nearest positive is 0: not mutual, dropped.
        Assert.Equal([0L], anchorIndex);
        Assert.Equal([0L], positiveIndex);
    }

    [Fact]
    public void TheHardestNegativeIsMinedAndTheTripletsSummed()
    {
        // Tuple of 3: anchor and positive share location 0 exactly; the negative has a near copy and a far vector.
        var anchor = Map([1, 0, 0], [0, 0, 1]);
        var positive = Map([1, 0, 0], [0, 1, 0]);
        var negative = Map([0, 0, 1], [0.9f, 0.1f, 0]);
        var batch = cat([anchor.unsqueeze(0), positive.unsqueeze(0), negative.unsqueeze(0)]).requires_grad_(true);
        var result = new LocalTripletLoss(margin: 0.1, loweRatio: 0.9, attentionKeep: 0.5).Forward(batch, 3);
        Assert.Equal(1, result.Matches);
        // |a - p|^2 = 0; the mined negative is normalise(0.9, 0.1, 0): |a - n|^2 = 2 - 2 x 0.9 / |(0.9, 0.1)|.
        double negativeDistance = 2 - 2 * 0.9 / Math.Sqrt(0.82);
        Assert.Equal(Math.Max(0, 0 - negativeDistance + 0.1), result.Loss.ToDouble(), 5);
        result.Loss.backward();
        Assert.NotNull(batch.grad);
    }

    [Fact]
    public void NoMatchesGiveZeroWithAGradientPath()
    {
        var anchor = Map([1, 0, 0], [0, 1, 0]);
        var positive = Map([0, 0, 1], [0, 0, 1]);
        var batch = cat([anchor.unsqueeze(0), positive.unsqueeze(0), anchor.unsqueeze(0)]).requires_grad_(true);
        var result = new LocalTripletLoss().Forward(batch, 3);
        Assert.Equal(0, result.Matches);
        Assert.Equal(0.0, result.Loss.ToDouble());
        result.Loss.backward();
        Assert.Equal(0.0, batch.grad!.abs().sum().ToDouble());
    }

    [Fact]
    public void TuplesMustBeWhole()
    {
        Assert.Throws<ArgumentException>(() => new LocalTripletLoss().Forward(zeros(5, 3, 1, 2), 3));
    }
}
