using System.Diagnostics;

namespace Cfcd.Training;

/// <summary>
/// The steps since the last logged row: their mean losses (the extra terms' each in its column), top-1, the terms'
/// tallies and throughput; MadaCos's solution and the HEP pool's size at the last step. Why: a logged row averages
/// the steps it stands for.
/// </summary>
internal sealed class StepWindow
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<ILossTerm, (double Loss, Tally Tally)> _terms = new();
    private int _steps, _images, _correct;
    private double _loss, _classification;
    private StepResult? _last;

    public int Steps => _steps;

    public double MeanLoss => _steps == 0 ? double.NaN : _loss / _steps;

    public double ImagesPerSecond => _images / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    public void Add(StepResult step)
    {
        _steps++;
        _images += step.Images;
        _correct += step.Correct;
        (_loss, _classification) = (_loss + step.Loss, _classification + step.ClassificationLoss);
        foreach (var term in step.ExtraLosses)
        {
            var sum = _terms.GetValueOrDefault(term.Term);
            _terms[term.Term] = (sum.Loss + term.Loss, sum.Tally + term.Tally);
        }
        _last = step;
    }

    /// <summary>The window as a metrics row, then an empty window.</summary>
    public MetricsRow Flush(int epoch, long globalStep, double learningRate)
    {
        var values = new Dictionary<string, double>
        {
            [MetricsRow.LearningRate] = learningRate,
            [MetricsRow.Loss] = _loss / _steps,
            [MetricsRow.ClassificationLoss] = _classification / _steps,
            [MetricsRow.Top1] = 100.0 * _correct / Math.Max(_images, 1),
            [MetricsRow.ImagesPerSecond] = ImagesPerSecond,
        };
        foreach (var (term, sum) in _terms)
        {
            values[term.LossColumn] = sum.Loss / _steps;
            if (term.TallyColumn is string column && sum.Tally.Of > 0)
                values[column] = (double)sum.Tally.Count / sum.Tally.Of;
        }
        if (_last?.Statistics is { } statistics)
        {
            values[MetricsRow.Scale] = statistics.Scale;
            values[MetricsRow.Margin] = statistics.Margin;
            values[MetricsRow.MedianCosine] = statistics.MedianCosine;
            values[MetricsRow.LogB] = statistics.LogB;
        }
        if (_last?.PoolClasses is int classes)
            values[MetricsRow.HepClasses] = classes;
        (_steps, _images, _correct, _loss, _classification, _last) = (0, 0, 0, 0, 0, null);
        _terms.Clear();
        _clock.Restart();
        return new MetricsRow(MetricsRow.TrainPhase, epoch, globalStep, values);
    }
}
