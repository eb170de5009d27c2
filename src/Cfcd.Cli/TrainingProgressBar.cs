using System.Diagnostics;
using Cfcd.Training;

namespace Cfcd.Cli;

/// <summary>Training progress as one redrawn terminal line: epoch, a bar over its steps, images/s, loss and
/// ETA.</summary>
internal sealed class TrainingProgressBar(TextWriter error) : IProgress<TrainingProgress>
{
    private const int Width = 24;
    private readonly Stopwatch _sinceDrawn = Stopwatch.StartNew();

    public void Report(TrainingProgress value)
    {
        bool epochDone = value.Step >= value.Steps;
        if (!epochDone && _sinceDrawn.ElapsedMilliseconds < 250)
            return;
        _sinceDrawn.Restart();
        int filled = value.Steps == 0 ? Width : (int)((long)Width * value.Step / value.Steps);
        string eta = value.Remaining is TimeSpan remaining ? $"ETA {(int)remaining.TotalHours}:{remaining:mm\\:ss}"
            : "";
        error.Write($"\repoch {value.Epoch}/{value.Epochs} " +
                    $"[{new string('#', filled)}{new string('-', Width - filled)}] {value.Step}/{value.Steps} " +
                    $"{value.ImagesPerSecond:F1} img/s loss {value.Loss:F4} {eta}   " + (epochDone ? "\n" : ""));
    }
}
