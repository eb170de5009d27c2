using Cfcd.Losses;

namespace Cfcd.Training;

/// <summary>
/// The losses, tallies and correct predictions of a step's micro-batches, summed as they come.
/// Why: a step split into micro-batches reports what the whole batch would.
/// </summary>
/// <param name="images">Images in the whole batch.</param>
/// <param name="shared">MadaCos's solution over the whole batch, when the step solved one first.</param>
internal sealed class StepSums(int images, IReadOnlyList<ILossTerm> terms, MadaCosStatistics? shared)
{
    private readonly double[] _termLosses = new double[terms.Count];
    private readonly Tally[] _tallies = new Tally[terms.Count];
    private double _classification;
    private int _correct;
    private MadaCosStatistics? _statistics = shared;

    public int Images => images;

    public MadaCosStatistics? Shared { get; } = shared;

    public void AddTerm(int index, double loss, Tally tally)
    {
        _termLosses[index] += loss;
        _tallies[index] += tally;
    }

    public void AddClassification(double loss, MadaCosStatistics? statistics, int correct)
    {
        _classification += loss;
        _statistics = statistics;
        _correct += correct;
    }

    public StepResult Result() => new(images, _classification,
        terms.Select((term, index) => new TermResult(term, _termLosses[index], _tallies[index])).ToList(),
        _statistics, _correct);
}
