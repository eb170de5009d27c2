namespace Cfcd.Data;

/// <summary>
/// CFCD's stage-2 tuples (docs/method.md section 3): anchor, positive of the same class, then negatives, mined from the
/// stage-1 predictions. The anchor class is uniform among classes with two unused images. If the anchor was
/// classified correctly, each negative slot takes with p = 0.5 an image the model assigned to the anchor's class
/// (its false positives, FP[c]); if misclassified, with p = 0.33 one from FP[c], else (also when FP[c] has none left)
/// with p = 0.5 one of the class it was mistaken for. Other slots: one image each of distinct random classes, or, with
/// nearest classes (DC-I-Net's class centres, sampler.hard_negatives: centers), of distinct classes drawn uniformly
/// among the anchor class's nearest that still have images (random when none has). Images are used without
/// replacement until the pools reset (when no tuple can be completed). Without predictions no slot takes false
/// positives or a mistaken class.
/// Tuples stay whole and consecutive in a batch (<see cref="GroupSize"/>).
/// </summary>
internal sealed class HardNegativeTupleSampler : IBatchSampler
{
    private const double FalsePositiveShareCorrect = 0.5, FalsePositiveShareMistaken = 0.33, MistakenClassShare = 0.5;

    private readonly int[] _labels;
    private readonly int?[] _predicted;
    private readonly int[][] _byClass;
    private readonly int[][] _falsePositives;
    private readonly int _tuplesPerBatch;
    private readonly long _seed;
    private readonly Func<int, int[][]>? _nearestClasses;

    /// <param name="predicted">Stage-1 predicted class per sample (null entries, or null: no score file).</param>
    /// <param name="nearestClasses">Each class's nearest classes for an epoch (asked once when it is planned); null:
    /// random negative classes.</param>
    public HardNegativeTupleSampler(IReadOnlyList<int> labels, IReadOnlyList<int?>? predicted, int tupleSize,
        int tuplesPerBatch, long seed, Func<int, int[][]>? nearestClasses = null)
    {
        _nearestClasses = nearestClasses;
        if (tupleSize < 3)
            throw new ArgumentException("a tuple needs an anchor, a positive and at least one negative");
        _labels = [.. labels];
        _predicted = predicted is null ? new int?[_labels.Length] : [.. predicted];
        int classes = _labels.Length == 0 ? 0 : _labels.Max() + 1;
        _byClass = Group(Enumerable.Range(0, _labels.Length), i => _labels[i], classes);
        _falsePositives = Group(Enumerable.Range(0, _labels.Length)
            .Where(i => _predicted[i] is int p && p != _labels[i] && p < classes),
            i => _predicted[i]!.Value, classes);
        GroupSize = tupleSize;
        _tuplesPerBatch = tuplesPerBatch;
        _seed = seed;
        if (_byClass.Count(members => members.Length > 0) < tupleSize - 1
            || !_byClass.Any(members => members.Length >= 2))
            throw new ArgumentException($"tuples of {tupleSize} need a class with two images and {tupleSize - 1} " +
                                        "classes in all");
    }

    public int GroupSize { get; }

    /// <summary>The tuples (numbered through the last planned epoch) before which the pools were refilled.</summary>
    public IReadOnlyList<int> LastResets { get; private set; } = [];

    private int Negatives => GroupSize - 2;

    public IReadOnlyList<int[]> Epoch(int epoch)
    {
        var random = SampleRandom.For(_seed, epoch, -2);
        var nearest = _nearestClasses?.Invoke(epoch);
        var pools = new Pools(_byClass, _labels);
        pools.Reset(ref random);
        int tuples = _labels.Length / GroupSize / _tuplesPerBatch * _tuplesPerBatch;
        var plan = new List<int[]>();
        var batch = new List<int>(GroupSize * _tuplesPerBatch);
        var resets = new List<int>();
        for (int t = 0; t < tuples; t++)
        {
            if (!TryTuple(pools, nearest, ref random, batch))
            {
                resets.Add(t);
                pools.Reset(ref random);
                if (!TryTuple(pools, nearest, ref random, batch))
                    throw new InvalidOperationException("the data set cannot form a tuple even with fresh pools");
            }
            if (batch.Count == GroupSize * _tuplesPerBatch)
            {
                plan.Add([.. batch]);
                batch.Clear();
            }
        }
        LastResets = resets;
        return plan;
    }

    private bool TryTuple(Pools pools, int[][]? nearest, ref SampleRandom random, List<int> batch)
    {
        if (pools.AnchorClasses.Count == 0)
            return false;
        int anchorClass = pools.AnchorClasses.Pick(ref random);
        if (pools.NonEmptyClasses.Count - 1 < Negatives)
            return false;

        int anchor = pools.Take(anchorClass);
        bool scored = _predicted[anchor] is not null;
        bool misclassified = scored && _predicted[anchor] != anchorClass;
        int positive = misclassified ? pools.Take(anchorClass, i => _predicted[i] == anchorClass)
            : pools.Take(anchorClass);
        batch.Add(anchor);
        batch.Add(positive);

        var excluded = new HashSet<int> { anchorClass };
        for (int slot = 0; slot < Negatives; slot++)
        {
            int? negative = null;
            if (scored && !misclassified && random.NextDouble() < FalsePositiveShareCorrect)
                negative = pools.TakeAny(_falsePositives[anchorClass], ref random);
            else if (misclassified)
            {
                // `if random() < 0.33 and FP[c]: ... elif random() < 0.5: ...`: with no false positive left, the
                // first test fails and the mistaken class gets its own draw, as in the official sampler.
                if (random.NextDouble() < FalsePositiveShareMistaken)
                    negative = pools.TakeAny(_falsePositives[anchorClass], ref random);
                if (negative is null && random.NextDouble() < MistakenClassShare)
                    negative = pools.TakeAny(_byClass[_predicted[anchor]!.Value], ref random);
            }
            if (negative is null)
            {
                // Each earlier slot emptied at most one class, so a class is always left here.
                int negativeClass = NearClass(nearest, anchorClass, pools, excluded, ref random)
                                    ?? pools.NonEmptyClasses.PickExcept(ref random, excluded)
                                    ?? throw new InvalidOperationException("no class left for a negative");
                excluded.Add(negativeClass);
                negative = pools.Take(negativeClass);
            }
            batch.Add(negative.Value);
        }
        return true;
    }

    /// <summary>One of the anchor class's nearest classes that still has images and is not in the tuple yet; null
    /// when there is none (or no nearest classes).</summary>
    private static int? NearClass(int[][]? nearest, int anchorClass, Pools pools, HashSet<int> excluded,
        ref SampleRandom random)
    {
        if (nearest is null || anchorClass >= nearest.Length)
            return null;
        var open = nearest[anchorClass].Where(c => pools.NonEmptyClasses.Contains(c) && !excluded.Contains(c)).ToList();
        return open.Count == 0 ? null : open[random.Next(open.Count)];
    }

    private static int[][] Group(IEnumerable<int> indices, Func<int, int> key, int classes)
    {
        var groups = Enumerable.Range(0, classes).Select(_ => new List<int>()).ToArray();
        foreach (int index in indices)
            groups[key(index)].Add(index);
        return groups.Select(group => group.ToArray()).ToArray();
    }

    /// <summary>Per-class lists of unused images in a shuffled order, and the classes that can still give one or
    /// two.</summary>
    private sealed class Pools(int[][] byClass, int[] labels)
    {
        private readonly List<int>[] _unused = byClass.Select(_ => new List<int>()).ToArray();
        private readonly bool[] _used = new bool[labels.Length];

        public IndexedSet NonEmptyClasses { get; } = new(byClass.Length);

        public IndexedSet AnchorClasses { get; } = new(byClass.Length);

        public void Reset(ref SampleRandom random)
        {
            Array.Clear(_used);
            for (int c = 0; c < byClass.Length; c++)
            {
                _unused[c].Clear();
                _unused[c].AddRange(byClass[c]);
                random.Shuffle(_unused[c]);
                Update(c);
            }
        }

        /// <summary>The next unused image of the class, the first satisfying <paramref name="prefer"/> if any
        /// does.</summary>
        public int Take(int label, Func<int, bool>? prefer = null)
        {
            var unused = _unused[label];
            int position = prefer is null ? unused.Count - 1 : unused.FindLastIndex(i => prefer(i));
            int image = unused[position < 0 ? unused.Count - 1 : position];
            Remove(image);
            return image;
        }

        /// <summary>A uniformly drawn unused image among <paramref name="candidates"/>, or null if all are
        /// used.</summary>
        public int? TakeAny(int[] candidates, ref SampleRandom random)
        {
            int available = candidates.Count(image => !_used[image]);
            if (available == 0)
                return null;
            int pick = random.Next(available);
            int image = candidates.Where(candidate => !_used[candidate]).ElementAt(pick);
            Remove(image);
            return image;
        }

        private void Remove(int image)
        {
            _used[image] = true;
            _unused[labels[image]].Remove(image);
            Update(labels[image]);
        }

        private void Update(int label)
        {
            int count = _unused[label].Count;
            if (count > 0) NonEmptyClasses.Add(label); else NonEmptyClasses.Remove(label);
            if (count > 1) AnchorClasses.Add(label); else AnchorClasses.Remove(label);
        }
    }
}
