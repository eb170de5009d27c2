using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Losses;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class HardExamplePoolTests
{
    private static HepConfig Hep(int topK, int poolSize) => new() { Enabled = true, TopK = topK, PoolSize = poolSize };

    // Two images of 8 classes, labels 1 and 6. Image 0's highest cosines: its own class 1, then 4, then 2;
    // image 1's: 0, then its own 6, then 3.
    private static readonly Tensor Cosines = tensor(new float[]
    {
        0.1f, 0.9f, 0.5f, 0.0f, 0.7f, 0.2f, 0.3f, 0.4f,
        0.8f, 0.1f, 0.2f, 0.5f, 0.4f, 0.3f, 0.6f, 0.0f,
    }).view(2, 8);

    private static readonly Tensor Labels = tensor(new long[] { 1, 6 });

    [Fact]
    public void ThePoolIsTheLabelsAndEachImagesMostConfusingOtherClasses()
    {
        var fromLogits = new HardExamplePool(Hep(topK: 2, poolSize: 1), classes: 8, seed: 1);
        Assert.Equal(Cosines.data<float>().ToArray(), fromLogits.Scores(zeros(2, 4), Cosines)!.data<float>().ToArray());
        var pool = new HardExamplePool(Hep(topK: 2, poolSize: 1), classes: 8, seed: 1)
            .Choose(Cosines, Labels, SingleProcessGroup.Instance, step: 0);
        // Image 0: 4 and 2 (its own class 1 is left out); image 1: 0 and 3.
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 6 }, pool.Classes);
    }

    [Fact]
    public void RandomClassesFillItUpToThePoolSizeTheSameForTheSameStep()
    {
        var hep = new HardExamplePool(Hep(topK: 1, poolSize: 6), classes: 8, seed: 1);
        var first = hep.Choose(Cosines, Labels, SingleProcessGroup.Instance, step: 3).Classes;
        Assert.Equal(6, first.Length);
        Assert.Subset(first.ToHashSet(), new HashSet<long> { 0, 1, 4, 6 });
        Assert.Equal(first, hep.Choose(Cosines, Labels, SingleProcessGroup.Instance, step: 3).Classes);
        var steps = Enumerable.Range(0, 20).Select(step => string.Join(",",
            hep.Choose(Cosines, Labels, SingleProcessGroup.Instance, step).Classes)).Distinct();
        Assert.True(steps.Count() > 1, "the random classes do not change from step to step");
        var all = new HardExamplePool(Hep(topK: 0, poolSize: 100), classes: 8, seed: 1)
            .Choose(Cosines, Labels, SingleProcessGroup.Instance, step: 0);
        Assert.Equal(Enumerable.Range(0, 8).Select(c => (long)c), all.Classes);
    }

    [Fact]
    public void UnderSeveralProcessesItHoldsEveryProcesssLabelsAndHardClasses()
    {
        // The other process's image has label 7 and hard class 5.
        var group = new TwoProcesses(other: [7, 5]);
        var pool = new HardExamplePool(Hep(topK: 1, poolSize: 1), classes: 8, seed: 1)
            .Choose(Cosines.narrow(0, 0, 1), Labels.narrow(0, 0, 1), group, step: 0);
        Assert.Equal(new long[] { 1, 4, 5, 7 }, pool.Classes);
    }

    [Fact]
    public void WithCentresTheHardClassesAreTheNearestCentresOfClassesSeen()
    {
        using var centers = new ClassCenters(classes: 4, momentum: 0.5);
        // Centres of classes 0, 2 and 3; class 1 has none, so it is never a hard class.
        centers.Update(tensor(new float[] { 1, 0, 0.6f, 0.8f, 0, 1 }).view(3, 2), tensor(new long[] { 0, 2, 3 }));
        var embedding = tensor(new float[] { 0, 5 }).view(1, 2);
        var hep = new HardExamplePool(Hep(topK: 2, poolSize: 1), classes: 4, seed: 1, centers);
        var pool = hep.Choose(hep.Scores(embedding, zeros(1, 4)), tensor(new long[] { 3 }),
            SingleProcessGroup.Instance, 0);
        // (0, 1) is nearest its own class 3 (left out), then 2 (0.8), then 0 (0.0); class 1 is not a candidate.
        Assert.Equal(new long[] { 0, 2, 3 }, pool.Classes);
        using var empty = new ClassCenters(classes: 4, momentum: 0.5);
        var none = new HardExamplePool(Hep(topK: 2, poolSize: 1), classes: 4, seed: 1, empty);
        Assert.Equal(new long[] { 3 },
            none.Choose(none.Scores(embedding, zeros(1, 4)), tensor(new long[] { 3 }), SingleProcessGroup.Instance, 0)
                .Classes);
        Assert.Null(none.Scores(embedding, zeros(1, 4)));
    }

    [Fact]
    public void ThePoolsColumnsAndTheLabelsPositionsInIt()
    {
        var pool = new ClassPool([1, 4, 6]);
        Assert.Equal(new float[] { 0.9f, 0.7f, 0.3f, 0.1f, 0.4f, 0.6f },
            pool.Columns(Cosines).contiguous().data<float>().ToArray());
        Assert.Equal(new long[] { 0, 2 }, pool.Positions(Labels).data<long>().ToArray());
    }

    /// <summary>Rank 0 of two; the other rank gathers <c>other</c>.</summary>
    private sealed class TwoProcesses(double[] other) : IProcessGroup
    {
        public int Rank => 0;

        public int Size => 2;

        public void SumInPlace(Span<float> values) => throw new NotSupportedException();

        public void SumInPlace(Span<double> values) => throw new NotSupportedException();

        public (double[] All, int First) Gather(ReadOnlySpan<double> local) => ([.. local, .. other], 0);

        public void Broadcast(Span<byte> values, int root) => throw new NotSupportedException();

        public void Abandon()
        {
        }

        public void Dispose()
        {
        }
    }
}
