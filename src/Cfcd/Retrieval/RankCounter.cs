using Cfcd.IO;

namespace Cfcd.Retrieval;

/// <summary>
/// Exact ranks of selected database items (the positives and junk of each query) in the full ranking by
/// dot product, without materialising that ranking: one streaming pass over the database counts, for each
/// query, how many rows come before each selected item. Memory is O(queries x selected items) beside one
/// block of rows per thread, so a +1M database costs no more than its page cache.
/// Order: higher score first; equal scores keep database order (lower row first), distractors after the
/// database. revisitop's numpy argsort leaves the order of exact ties unspecified.
/// </summary>
internal static class RankCounter
{
    private const int BlockRows = 2048;

    /// <param name="queries">Query descriptors, row-major [queryCount, dimensions].</param>
    /// <param name="selected">Per query, the database row indices whose ranks are wanted (rows of sources[0]).</param>
    /// <param name="sources">The database, then any distractor sets; rows are numbered across them in order.</param>
    /// <returns>Per query, the 0-based rank of each selected row, aligned with <paramref name="selected"/>.</returns>
    public static long[][] Rank(float[] queries, int dimensions, IReadOnlyList<int[]> selected,
        IReadOnlyList<IFeatureRows> sources,
        IProgress<long>? progress = null, CancellationToken cancellation = default)
    {
        int queryCount = selected.Count;
        var thresholds = new Threshold[queryCount][];
        var row = new float[dimensions];
        for (int q = 0; q < queryCount; q++)
        {
            var query = queries.AsSpan(q * dimensions, dimensions);
            thresholds[q] = new Threshold[selected[q].Length];
            for (int i = 0; i < selected[q].Length; i++)
            {
                sources[0].ReadRows(selected[q][i], 1, row);
                thresholds[q][i] = new Threshold(VectorMath.Dot(query, row), selected[q][i], i);
            }
            Array.Sort(thresholds[q], (a, b) => Precedes(a.Score, a.Row, b) ? -1 : Precedes(b.Score, b.Row, a) ? 1 : 0);
        }

        // before[q][p]: rows that come before threshold p but not before p - 1 (a difference array).
        var before = NewCounts(thresholds);
        long rowOffset = 0;
        long done = 0;
        foreach (var source in sources)
        {
            long blocks = (source.Rows + BlockRows - 1) / BlockRows;
            long offset = rowOffset;
            ParallelRethrowingInputErrors(() =>
                Parallel.For(0L, blocks, new ParallelOptions { CancellationToken = cancellation },
                () => (Buffer: new float[BlockRows * dimensions], Counts: NewCounts(thresholds)),
                (block, _, local) =>
                {
                    long first = block * BlockRows;
                    int count = (int)Math.Min(BlockRows, source.Rows - first);
                    source.ReadRows(first, count, local.Buffer);
                    CountBlock(queries, dimensions, thresholds, local.Buffer, count, offset + first, source, first,
                        local.Counts);
                    progress?.Report(Interlocked.Add(ref done, count));
                    return local;
                },
                local =>
                {
                    lock (before)
                        Add(before, local.Counts);
                }));
            rowOffset += source.Rows;
        }

        var ranks = new long[queryCount][];
        for (int q = 0; q < queryCount; q++)
        {
            ranks[q] = new long[selected[q].Length];
            long running = 0;
            for (int p = 0; p < thresholds[q].Length; p++)
            {
                running += before[q][p];
                ranks[q][thresholds[q][p].Position] = running;
            }
        }
        return ranks;
    }

    /// <summary>A bad row found on a worker thread surfaces as its own one-line error, not an
    /// AggregateException.</summary>
    private static void ParallelRethrowingInputErrors(Action run)
    {
        try
        {
            run();
        }
        catch (AggregateException error) when (error.InnerExceptions.FirstOrDefault(inner =>
            inner is InputException) is { } input)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(input);
        }
    }

    private static void CountBlock(float[] queries, int dimensions, Threshold[][] thresholds, float[] block, int count,
        long globalFirst, IFeatureRows source, long sourceFirst, long[][] counts)
    {
        for (int r = 0; r < count; r++)
        {
            var row = block.AsSpan(r * dimensions, dimensions);
            long globalRow = globalFirst + r;
            for (int q = 0; q < thresholds.Length; q++)
            {
                float score = VectorMath.Dot(queries.AsSpan(q * dimensions, dimensions), row);
                if (!float.IsFinite(score))
                    throw new InputException($"{source.Name}: row {sourceFirst + r} gives a non-finite similarity " +
                                             "(NaN or infinite values in the features)");
                counts[q][FirstPreceded(thresholds[q], score, globalRow)]++;
            }
        }
    }

    /// <summary>The first threshold this row comes before (thresholds are sorted in ranking order).</summary>
    private static int FirstPreceded(Threshold[] sorted, float score, long row)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if (Precedes(score, row, sorted[middle]))
                high = middle;
            else
                low = middle + 1;
        }
        return low;
    }

    private static bool Precedes(float score, long row, Threshold other) =>
        score > other.Score || (score == other.Score && row < other.Row);

    private static long[][] NewCounts(Threshold[][] thresholds) =>
        thresholds.Select(sorted => new long[sorted.Length + 1]).ToArray();

    private static void Add(long[][] total, long[][] part)
    {
        for (int q = 0; q < total.Length; q++)
            for (int p = 0; p < total[q].Length; p++)
                total[q][p] += part[q][p];
    }

    private readonly record struct Threshold(float Score, long Row, int Position);
}
