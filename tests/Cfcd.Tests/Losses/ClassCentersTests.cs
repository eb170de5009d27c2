using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class ClassCentersTests
{
    [Fact]
    public void ACentreStartsAtItsFirstImageAndMovesTowardsEachNextOneRenormalised()
    {
        using var centers = new ClassCenters(classes: 3, momentum: 0.5);
        Assert.Null(centers.Table);
        centers.Update(tensor(new float[] { 1, 0, 0, 1, 0.6f, 0.8f }).view(3, 2), tensor(new long[] { 2, 0, 2 }));
        var (table, seen) = centers.Table!.Value;
        Assert.Equal(new[] { true, false, true }, seen.data<bool>().ToArray());
        // Class 2: (1, 0), then normalise(0.5 (1, 0) + 0.5 (0.6, 0.8)) = (0.8, 0.4) / |(0.8, 0.4)|.
        double norm = Math.Sqrt(0.8 * 0.8 + 0.4 * 0.4);
        Assert.Equal(new[] { 0.8 / norm, 0.4 / norm }, table[2].data<float>().ToArray().Select(v => (double)v),
            new Comparison(1e-6));
        Assert.Equal(new float[] { 0, 1 }, table[0].data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0 }, table[1].data<float>().ToArray());
    }

    [Fact]
    public void ItsStateRestoresTheSameTable()
    {
        using var centers = new ClassCenters(classes: 2, momentum: 0.9);
        centers.Update(tensor(new float[] { 0.6f, 0.8f }).view(1, 2), tensor(new long[] { 1 }));
        using var restored = new ClassCenters(classes: 2, momentum: 0.9);
        restored.Load(centers.State(), CPU);
        Assert.Equal(centers.Table!.Value.Centers.data<float>().ToArray(),
            restored.Table!.Value.Centers.data<float>().ToArray());
        Assert.Equal(new[] { false, true }, restored.Table!.Value.Seen.data<bool>().ToArray());
        Assert.Throws<InputException>(() => new ClassCenters(classes: 3, momentum: 0.9).Load(centers.State(), CPU));
    }

    [Fact]
    public void EachClasssNearestCentresAreKeptForTheEpochThatAskedAndInItsState()
    {
        using var centers = new ClassCenters(classes: 4, momentum: 0.5);
        Assert.All(centers.NearestClasses(epoch: 0, count: 2), Assert.Empty);
        // Centres of 0, 1 and 3 (class 2 has none): cos(0, 1) = 0.8, cos(0, 3) = 0, cos(1, 3) = 0.6.
        centers.Update(tensor(new float[] { 1, 0, 0.8f, 0.6f, 0, 1 }).view(3, 2), tensor(new long[] { 0, 1, 3 }));
        Assert.All(centers.NearestClasses(epoch: 0, count: 2), Assert.Empty);

        var nearest = centers.NearestClasses(epoch: 1, count: 2);
        Assert.Equal([1, 3], nearest[0]);
        Assert.Equal([0, 3], nearest[1]);
        Assert.Empty(nearest[2]);
        Assert.Equal([1, 0], nearest[3]);
        Assert.Equal([1], centers.NearestClasses(epoch: 2, count: 1)[3]);

        // A resumed run asking again for the epoch gets what the stopped run had, whatever the centres are now:
        // class 0's centre moves to (0.71, 0.71), now nearer class 3 than class 1's is.
        using var resumed = new ClassCenters(classes: 4, momentum: 0.5);
        resumed.Load(centers.State(), CPU);
        resumed.Update(tensor(new float[] { 0, 1 }).view(1, 2), tensor(new long[] { 0 }));
        Assert.Equal([1], resumed.NearestClasses(epoch: 2, count: 1)[3]);
        Assert.Equal([0], resumed.NearestClasses(epoch: 3, count: 1)[3]);
    }

    private sealed class Comparison(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }
}
