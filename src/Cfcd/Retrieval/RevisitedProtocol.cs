namespace Cfcd.Retrieval;

/// <summary>The three revisited setups and which ground-truth lists are positives and junk in each.</summary>
public enum Setup { Easy, Medium, Hard }

/// <summary>
/// The revisitop scores (Radenovic et al., CVPR 2018; revisitop's compute_map): per query and setup,
/// junk removed from the ranking, trapezoid AP over the positions of the positives, mP@k with the kq rule;
/// queries without positives in a setup are left out of its mean. Values x 100.
/// </summary>
public static class RevisitedProtocol
{
    public static readonly int[] Kappas = [1, 5, 10];

    public static (int[] Positives, int[] Junk) Labels(QueryGroundTruth query, Setup setup) => setup switch
    {
        Setup.Easy => (query.Easy, [.. query.Junk, .. query.Hard]),
        Setup.Medium => ([.. query.Easy, .. query.Hard], query.Junk),
        _ => (query.Hard, [.. query.Junk, .. query.Easy]),
    };

    /// <summary>0-based positions of the positives once junk is removed from a ranking, ascending.</summary>
    public static long[] PositionsWithoutJunk(IEnumerable<long> positiveRanks, IEnumerable<long> junkRanks)
    {
        var junk = junkRanks.Order().ToArray();
        return positiveRanks.Order().Select(rank => rank - CountBelow(junk, rank)).ToArray();
    }

    /// <summary>revisitop's compute_ap: trapezoid average precision over <paramref name="positions"/> (0-based,
    /// ascending).</summary>
    public static double AveragePrecision(IReadOnlyList<long> positions, int positiveCount)
    {
        double ap = 0;
        for (int j = 0; j < positions.Count; j++)
        {
            long rank = positions[j];
            double precisionBefore = rank == 0 ? 1.0 : (double)j / rank;
            double precisionAt = (j + 1.0) / (rank + 1.0);
            ap += (precisionBefore + precisionAt) / 2.0 / positiveCount;
        }
        return ap;
    }

    /// <summary>P@k with revisitop's kq rule: kq = min(last positive's 1-based position, k).</summary>
    public static double PrecisionAt(IReadOnlyList<long> positions, int k)
    {
        long last = positions.Max() + 1;
        long kq = Math.Min(last, k);
        return positions.Count(position => position + 1 <= kq) / (double)kq;
    }

    /// <summary>Scores all setups from each query's ranks of its labelled images.</summary>
    /// <param name="rankOf">(query, database index) to the 0-based rank in the full ranking.</param>
    public static IReadOnlyDictionary<Setup, SetupScores> Score(GroundTruth groundTruth, Func<int, int, long> rankOf)
    {
        var scores = new Dictionary<Setup, SetupScores>();
        foreach (var setup in Enum.GetValues<Setup>())
        {
            double apSum = 0;
            var precisionSums = new double[Kappas.Length];
            var perQuery = new double[groundTruth.Queries.Count];
            int scored = 0;
            for (int q = 0; q < groundTruth.Queries.Count; q++)
            {
                var (positives, junk) = Labels(groundTruth.Queries[q], setup);
                if (positives.Length == 0)
                {
                    perQuery[q] = double.NaN;
                    continue;
                }
                var positions = PositionsWithoutJunk(positives.Select(index => rankOf(q, index)),
                    junk.Select(index => rankOf(q, index)));
                perQuery[q] = AveragePrecision(positions, positives.Length);
                apSum += perQuery[q];
                for (int k = 0; k < Kappas.Length; k++)
                    precisionSums[k] += PrecisionAt(positions, Kappas[k]);
                scored++;
            }
            scores[setup] = new SetupScores(
                MeanAveragePrecision: 100.0 * apSum / scored,
                MeanPrecisionAt: precisionSums.Select(sum => 100.0 * sum / scored).ToArray(),
                ScoredQueries: scored,
                AveragePrecisions: perQuery);
        }
        return scores;
    }

    private static long CountBelow(long[] sorted, long value)
    {
        int index = Array.BinarySearch(sorted, value);
        return index >= 0 ? index : ~index;
    }
}

/// <summary>One setup's scores: mAP and mP@k x 100, over the queries that have positives.</summary>
public sealed record SetupScores(double MeanAveragePrecision, double[] MeanPrecisionAt, int ScoredQueries,
    double[] AveragePrecisions);
