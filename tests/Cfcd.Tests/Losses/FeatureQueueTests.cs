using Cfcd.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Tests.Losses;

public class FeatureQueueTests
{
    private static Tensor Rows(params float[] firsts) =>
        tensor(firsts.SelectMany(first => new[] { first, -first }).ToArray()).view(-1, 2);

    private static Tensor Labels(params long[] labels) => tensor(labels);

    [Fact]
    public void EntriesGoInOrderAndTheOldestAreOverwrittenFirst()
    {
        using var queue = new FeatureQueue(capacity: 5);
        Assert.Null(queue.Filled);
        queue.Enqueue(Rows(1, 2, 3), Labels(10, 20, 30));
        Assert.Equal((3L, 3L), (queue.Count, queue.Next));
        queue.Enqueue(Rows(4, 5, 6, 7), Labels(40, 50, 60, 70));
        var (features, labels) = queue.Filled!.Value;
        Assert.Equal((5L, 2L), (queue.Count, queue.Next));
        // Slots 0 and 1 wrapped round to entries 6 and 7; 3, 4, 5 stay where they were.
        Assert.Equal(new float[] { 6, 7, 3, 4, 5 }, features.select(1, 0).data<float>().ToArray());
        Assert.Equal(new long[] { 60, 70, 30, 40, 50 }, labels.data<long>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void ALowerPrecisionStoreHoldsRoundedEntriesAndGivesThemBackAsFloat32(ScalarType storage)
    {
        using var queue = new FeatureQueue(capacity: 2, storage);
        var rows = tensor(new float[] { 0.1f, 0.7f, 1 / 3f, -0.2f }).view(2, 2);
        queue.Enqueue(rows, Labels(1, 2));
        Assert.Equal(storage, queue.State()["features"].dtype);
        var (features, _) = queue.Filled!.Value;
        Assert.Equal(ScalarType.Float32, features.dtype);
        Assert.Equal(rows.to(storage).to(ScalarType.Float32).data<float>().ToArray(), features.data<float>().ToArray());
        Assert.NotEqual(rows.data<float>().ToArray(), features.data<float>().ToArray());
        using var restored = new FeatureQueue(capacity: 2, storage);
        restored.Load(queue.State(), CPU);
        Assert.Equal(features.data<float>().ToArray(), restored.Filled!.Value.Features.data<float>().ToArray());
    }

    [Fact]
    public void MoreEntriesThanItHoldsKeepTheLastOnes()
    {
        using var queue = new FeatureQueue(capacity: 3);
        queue.Enqueue(Rows(1), Labels(1));
        queue.Enqueue(Rows(2, 3, 4, 5, 6), Labels(2, 3, 4, 5, 6));
        var (features, labels) = queue.Filled!.Value;
        Assert.Equal((3L, 1L), (queue.Count, queue.Next));
        Assert.Equal(new float[] { 6, 4, 5 }, features.select(1, 0).data<float>().ToArray());
        Assert.Equal(new long[] { 6, 4, 5 }, labels.data<long>().ToArray());
    }

    [Fact]
    public void ItsStateRestoresTheSameQueue()
    {
        using var queue = new FeatureQueue(capacity: 4);
        queue.Enqueue(Rows(1, 2, 3, 4, 5), Labels(1, 2, 3, 4, 5));
        using var restored = new FeatureQueue(capacity: 4);
        restored.Load(queue.State(), CPU);
        Assert.Equal((queue.Count, queue.Next), (restored.Count, restored.Next));
        Assert.Equal(queue.Filled!.Value.Features.data<float>().ToArray(),
            restored.Filled!.Value.Features.data<float>().ToArray());
        Assert.Throws<InputException>(() => new FeatureQueue(capacity: 3).Load(queue.State(), CPU));
    }
}
