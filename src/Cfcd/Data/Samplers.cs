namespace Cfcd.Data;

/// <summary>Plans an epoch: the data-set indices of every batch. Groups of <see cref="GroupSize"/> stay
/// together.</summary>
internal interface IBatchSampler
{
    int GroupSize { get; }

    IReadOnlyList<int[]> Epoch(int epoch);
}

/// <summary>Every image once per epoch in a seeded random order; the last partial batch is dropped.</summary>
internal sealed class RandomSampler(int count, int batchSize, long seed) : IBatchSampler
{
    public int GroupSize => 1;

    public IReadOnlyList<int[]> Epoch(int epoch)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var random = SampleRandom.For(seed, epoch, -1);
        random.Shuffle(order);
        return order.Chunk(batchSize).Where(batch => batch.Length == batchSize).ToList();
    }
}

/// <summary>
/// Batches of <c>batchSize / imagesPerClass</c> distinct classes, drawn uniformly, with <c>imagesPerClass</c> images
/// each (without repeats while a class has enough); as many batches as the data set fills.
/// </summary>
internal sealed class ClassBalancedSampler : IBatchSampler
{
    private readonly int[][] _byClass;
    private readonly int _batchSize, _imagesPerClass, _batches;
    private readonly long _seed;

    public ClassBalancedSampler(IReadOnlyList<int> labels, int batchSize, int imagesPerClass, long seed)
    {
        if (imagesPerClass < 1 || batchSize % imagesPerClass != 0)
            throw new ArgumentException($"batch size {batchSize} is not a multiple of images per class " +
                                        $"{imagesPerClass}");
        _byClass = labels.Select((label, index) => (label, index)).GroupBy(pair => pair.label)
            .OrderBy(group => group.Key).Select(group => group.Select(pair => pair.index).ToArray()).ToArray();
        if (_byClass.Length < batchSize / imagesPerClass)
            throw new ArgumentException($"{_byClass.Length} classes cannot fill batches of " +
                                        $"{batchSize / imagesPerClass} distinct classes");
        (_batchSize, _imagesPerClass, _batches, _seed) = (batchSize, imagesPerClass, labels.Count / batchSize, seed);
    }

    public int GroupSize => 1;

    public IReadOnlyList<int[]> Epoch(int epoch)
    {
        var random = SampleRandom.For(_seed, epoch, -1);
        var classes = Enumerable.Range(0, _byClass.Length).ToArray();
        var batches = new List<int[]>(_batches);
        for (int b = 0; b < _batches; b++)
        {
            var batch = new List<int>(_batchSize);
            // A partial Fisher-Yates draws the batch's distinct classes.
            for (int slot = 0; slot < _batchSize / _imagesPerClass; slot++)
            {
                int pick = slot + random.Next(classes.Length - slot);
                (classes[slot], classes[pick]) = (classes[pick], classes[slot]);
                var members = _byClass[classes[slot]].ToArray();
                random.Shuffle(members);
                for (int i = 0; i < _imagesPerClass; i++)
                    batch.Add(members[i % members.Length]);
            }
            batches.Add([.. batch]);
        }
        return batches;
    }
}
