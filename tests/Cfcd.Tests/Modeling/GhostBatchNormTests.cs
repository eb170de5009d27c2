using Cfcd.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Modeling;

public class GhostBatchNormTests
{
    private static Tensor Input() => arange(8 * 3 * 2 * 2, dtype: ScalarType.Float32).reshape(8, 3, 2, 2).sin() * 3 + 1;

    [Fact]
    public void EachGhostGroupIsNormalisedWithItsOwnStatistics()
    {
        using var norm = new GhostBatchNorm(3) { GhostSize = 4 };
        norm.train();
        var input = Input();
        var output = norm.forward(input);
        for (int group = 0; group < 2; group++)
        {
            var part = input.narrow(0, 4 * group, 4);
            var mean = part.mean([0, 2, 3], keepdim: true);
            var variance = part.var([0, 2, 3], unbiased: false, keepdim: true);
            Golden.AssertClose((part - mean) / (variance + 1e-5).sqrt(), output.narrow(0, 4 * group, 4), 1e-5);
        }
    }

    [Fact]
    public void RunningStatisticsMoveTowardsTheMeanOfTheGroups()
    {
        using var norm = new GhostBatchNorm(3) { GhostSize = 4 };
        norm.train();
        var input = Input();
        norm.forward(input);
        var groups = input.split(4);
        var groupMeans = stack(groups.Select(part => part.mean([0, 2, 3])).ToArray()).mean([0]);
        var groupVariances = stack(groups.Select(part => part.var([0, 2, 3], unbiased: true)).ToArray()).mean([0]);
        Golden.AssertClose(groupMeans * 0.1, norm.running_mean!, 1e-5);
        Golden.AssertClose(ones(3) * 0.9 + groupVariances * 0.1, norm.running_var!, 1e-5);
        Assert.Equal(1, norm.num_batches_tracked!.ToInt64());
    }

    [Fact]
    public void AccumulatedPassesUpdateTheRunningStatisticsOnceLikeOneBatch()
    {
        using var whole = new GhostBatchNorm(3) { GhostSize = 4 };
        using var parts = new GhostBatchNorm(3) { GhostSize = 4, Statistics = NormStatistics.Accumulate };
        whole.train();
        parts.train();
        var input = Input();
        whole.forward(input);
        parts.forward(input.narrow(0, 0, 4));
        parts.forward(input.narrow(0, 4, 4));
        Assert.Equal(0.0, parts.running_mean!.abs().sum().ToDouble());
        parts.Commit();
        Golden.AssertClose(whole.running_mean!, parts.running_mean!, 1e-6);
        Golden.AssertClose(whole.running_var!, parts.running_var!, 1e-6);
        Assert.Equal(1, parts.num_batches_tracked!.ToInt64());
    }

    [Fact]
    public void WithoutGhostGroupsItIsPlainBatchNorm()
    {
        using var ghost = new GhostBatchNorm(3);
        using var plain = nn.BatchNorm2d(3);
        ghost.train();
        plain.train();
        var input = Input();
        Golden.AssertClose(plain.forward(input), ghost.forward(input), 1e-6);
        Golden.AssertClose(plain.running_var!, ghost.running_var!, 1e-6);
        ghost.eval();
        plain.eval();
        Golden.AssertClose(plain.forward(input), ghost.forward(input), 1e-6);
        Assert.Equal(plain.state_dict().Keys.Order(), ghost.state_dict().Keys.Order());
    }

    [Fact]
    public void FrozenStatisticsNormaliseByTheBatchButLeaveTheRunningStatistics()
    {
        using var norm = new GhostBatchNorm(3) { GhostSize = 4, Statistics = NormStatistics.Frozen };
        norm.train();
        var output = norm.forward(Input());
        Assert.Equal(0.0, norm.running_mean!.abs().sum().ToDouble());
        Assert.Equal(3.0, norm.running_var!.sum().ToDouble());
        Assert.Equal(0, norm.num_batches_tracked!.ToInt64());
        Assert.True(output.mean().abs().ToDouble() < 1e-5);
    }

    [Fact]
    public void ANetworkSetsItsGroupsAndFreezesItsStatisticsEverywhere()
    {
        using var network = new CfcdNet(new NetworkSpec(new ResNetLayout(18, 4), 8));
        network.SetGhostBatchSize(16);
        var norms = network.modules().OfType<GhostBatchNorm>().ToList();
        Assert.Equal(21, norms.Count);
        Assert.All(norms, norm => Assert.Equal(16, norm.GhostSize));
        using (network.UseNormStatistics(NormStatistics.Frozen))
            Assert.All(norms, norm => Assert.Equal(NormStatistics.Frozen, norm.Statistics));
        Assert.All(norms, norm => Assert.Equal(NormStatistics.Update, norm.Statistics));
    }
}
