using System.Diagnostics;

namespace Cfcd.Training;

/// <summary>
/// Reports where training is after every step, with throughput and the time left. Why: both come from this process's
/// pace; the steps a resumed run did before took other time.
/// </summary>
internal sealed class ProgressPace(int epochs, IProgress<TrainingProgress>? progress)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _steps, _images;

    public void Report(StepPlace at, int images, double loss)
    {
        _steps++;
        _images += images;
        long remainingSteps = (long)(epochs - at.Epoch) * at.Steps - at.Step;
        double seconds = _clock.Elapsed.TotalSeconds;
        progress?.Report(new TrainingProgress(at.Epoch + 1, epochs, at.Step, at.Steps, loss, _images / seconds,
            TimeSpan.FromSeconds(seconds / _steps * remainingSteps)));
    }
}
