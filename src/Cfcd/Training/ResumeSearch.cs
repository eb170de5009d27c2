using Cfcd.Config;
using Microsoft.Extensions.Logging;

namespace Cfcd.Training;

/// <summary>
/// Finds the checkpoint a run folder resumes: the newest readable one, which must hold a run of the same config (the
/// device aside: a run may move to another device). Why: resuming a run of another config would mix two runs.
/// </summary>
internal sealed class ResumeSearch(RunFolder run, CfcdConfig config, ILogger logger)
{
    /// <summary>The checkpoint to resume; null when the folder holds none and <paramref name="required"/> is not
    /// set.</summary>
    public LoadedCheckpoint? Newest(bool required)
    {
        foreach (var (path, recorded) in run.CheckpointsNewestFirst())
        {
            RefuseOtherConfig(path, recorded.Config);
            try
            {
                return TrainingCheckpoint.Read(path);
            }
            catch (InputException unreadable)
            {
                logger.LogWarning("skipping an unreadable checkpoint: {Problem}", unreadable.Message);
            }
        }
        return required ? throw new InputException($"{run.Checkpoints}: no checkpoint to resume") : null;
    }

    private void RefuseOtherConfig(string path, string recordedYaml)
    {
        var recorded = ConfigLoader.Parse(recordedYaml, $"{path} (the config it records)");
        var onThisDevice = recorded with { Train = recorded.Train with { Device = config.Train.Device } };
        if (ConfigDifference.First(onThisDevice, config) is string difference)
            throw new InputException($"{path}: this run folder holds a run with another config ({difference}); " +
                                     $"resume it with its own config ({run.Config}) or train into another --out");
    }
}
