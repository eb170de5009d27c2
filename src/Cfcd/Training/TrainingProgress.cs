namespace Cfcd.Training;

/// <summary>Where training is, reported after every step (the CLI draws a bar from it).</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Step">Steps of this epoch done.</param>
/// <param name="Loss">Mean loss since the last logged row.</param>
/// <param name="Remaining">Estimated time to the end of the run, from this process's pace; null before the first
/// step.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double ImagesPerSecond,
    TimeSpan? Remaining);

/// <summary>The loss became NaN or infinite; the weights were not updated with it and no checkpoint was written.
/// </summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
