namespace Cfcd.Training;

/// <summary>Where a finished step stands in its epoch. Why: logging, progress and the step line count alike.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Steps of the epoch done, this one included.</param>
/// <param name="Steps">Steps in the epoch.</param>
/// <param name="LearningRate">The epoch's learning rate.</param>
internal readonly record struct StepPlace(int Epoch, int Step, int Steps, double LearningRate)
{
    public bool LastOfEpoch => Step == Steps;
}
