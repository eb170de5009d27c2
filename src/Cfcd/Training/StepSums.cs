using Cfcd.Distributed;
using Cfcd.Losses;

namespace Cfcd.Training;

/// <summary>
/// The losses, tallies and correct predictions of a step's micro-batches, summed as they come.
/// Why: a step split into micro-batches reports what the whole batch would.
/// </summary>
/// <param name="images">Images in the whole batch.</param>
/// <param name="shared">What the step solved over the whole batch first (MadaCos, the HEP pool), if it did.</param>
internal sealed class StepSums(int images, IReadOnlyList<ILossTerm> terms, BatchSolution? shared)
{
    private readonly double[] _termLosses = new double[terms.Count];
    private readonly Tally[] _tallies = new Tally[terms.Count];
    private double _classification;
    private int _correct;
    private MadaCosStatistics? _statistics = shared?.Statistics;
    private ClassPool? _pool = shared?.Pool;

    public int Images => images;

    public BatchSolution? Shared { get; } = shared;

    public void AddTerm(int index, double loss, Tally tally)
    {
        _termLosses[index] += loss;
        _tallies[index] += tally;
    }

    public void AddClassification(double loss, BatchSolution solution, int correct)
    {
        _classification += loss;
        (_statistics, _pool) = (solution.Statistics, solution.Pool);
        _correct += correct;
    }

    /// <summary>The step's result, summed over the processes of <paramref name="group"/>: each process already
    /// weighted its losses by the global batch, and the statistics are the global batch's already.</summary>
    public StepResult Result(IProcessGroup group)
    {
        var values = new double[2 + 3 * terms.Count];
        values[0] = _classification;
        values[1] = _correct;
        for (int index = 0; index < terms.Count; index++)
            (values[2 + 3 * index], values[3 + 3 * index], values[4 + 3 * index]) =
                (_termLosses[index], _tallies[index].Count, _tallies[index].Of);
        group.SumInPlace(values);
        return new StepResult(images, values[0],
            terms.Select((term, index) => new TermResult(term, values[2 + 3 * index],
                new Tally((long)values[3 + 3 * index], (long)values[4 + 3 * index]))).ToList(),
            _statistics, (int)values[1], _pool?.Classes.Length);
    }
}
