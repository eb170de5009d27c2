using System.Diagnostics;

namespace Cfcd.Training;

/// <summary>The steps since the last logged row: their mean losses, top-1, matches per tuple and throughput.</summary>
public sealed class StepWindow
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _steps, _images, _correct, _matches, _tuples;
    private double _loss, _classification, _local;
    private StepResult? _last;

    public int Steps => _steps;

    public double MeanLoss => _steps == 0 ? double.NaN : _loss / _steps;

    public double ImagesPerSecond => _images / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

    public void Add(StepResult step)
    {
        _steps++;
        _images += step.Images;
        _correct += step.Correct;
        (_matches, _tuples) = (_matches + step.Matches, _tuples + step.Tuples);
        (_loss, _classification, _local) = (_loss + step.Loss, _classification + step.ClassificationLoss, _local + step.LocalLoss);
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
        if (_tuples > 0)
        {
            values[MetricsRow.LocalLoss] = _local / _steps;
            values[MetricsRow.MatchesPerTuple] = (double)_matches / _tuples;
        }
        if (_last?.Statistics is { } statistics)
        {
            values[MetricsRow.Scale] = statistics.Scale;
            values[MetricsRow.Margin] = statistics.Margin;
            values[MetricsRow.MedianCosine] = statistics.MedianCosine;
            values[MetricsRow.LogB] = statistics.LogB;
        }
        (_steps, _images, _correct, _matches, _tuples, _loss, _classification, _local, _last) = (0, 0, 0, 0, 0, 0, 0, 0, null);
        _clock.Restart();
        return new MetricsRow(MetricsRow.TrainPhase, epoch, globalStep, values);
    }
}
