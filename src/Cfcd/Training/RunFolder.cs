namespace Cfcd.Training;

/// <summary>The files of a training run (docs/architecture.md section 3).</summary>
public sealed class RunFolder(string root)
{
    public string Root { get; } = root;

    /// <summary>The resolved config, as <c>cfcd train --dry-run</c> prints it.</summary>
    public string Config => Path.Combine(Root, "config.yaml");

    public string Log => Path.Combine(Root, "train.log");

    public string Metrics => Path.Combine(Root, "metrics.csv");

    public string Curves => Path.Combine(Root, "curves.png");

    public string TensorBoard => Path.Combine(Root, "tensorboard");

    public string Checkpoints => Path.Combine(Root, "checkpoints");

    /// <summary>The newest checkpoint, overwritten at every epoch end (and on Ctrl+C or every
    /// train.checkpoint_every steps).</summary>
    public string LastCheckpoint => Path.Combine(Checkpoints, "last" + TrainingCheckpoint.Extension);

    public string EpochCheckpoint(int finishedEpochs) =>
        Path.Combine(Checkpoints, TrainingCheckpoint.EpochFileName(finishedEpochs));

    /// <summary>The checkpoints in the folder, newest first (by the position they record); unreadable files are left
    /// out.</summary>
    public IReadOnlyList<(string Path, TrainingPosition Position)> CheckpointsNewestFirst()
    {
        if (!Directory.Exists(Checkpoints))
            return [];
        return Directory.EnumerateFiles(Checkpoints, "*" + TrainingCheckpoint.Extension)
            .Select(path => (Path: path, Position: TrainingCheckpoint.Peek(path)))
            .Where(entry => entry.Position is not null)
            .Select(entry => (entry.Path, entry.Position!))
            .OrderByDescending(entry => entry.Item2.GlobalStep)
            .ThenBy(entry => entry.Path == LastCheckpoint ? 0 : 1)
            .ToList();
    }
}
