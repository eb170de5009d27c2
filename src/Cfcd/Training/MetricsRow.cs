namespace Cfcd.Training;

/// <summary>
/// One row of metrics.csv: a logged training window (phase "train": losses, top-1 and throughput averaged over the
/// steps since the previous row, MadaCos's solution at the last step) or an epoch's validation (phase "val": top-1
/// and top-5). <see cref="Values"/> holds the columns that apply; the others are empty cells.
/// </summary>
/// <param name="Epoch">1-based epoch the row belongs to.</param>
/// <param name="Step">Optimiser steps done since the start of the run.</param>
internal sealed record MetricsRow(string Phase, int Epoch, long Step, IReadOnlyDictionary<string, double> Values)
{
    public const string TrainPhase = "train", ValidationPhase = "val";

    public const string LearningRate = "lr", Loss = "loss", ClassificationLoss = "ce_loss", LocalLoss = "local_loss",
        Scale = "scale", Margin = "margin", MedianCosine = "median_cosine", LogB = "log_b",
        MatchesPerTuple = "matches_per_tuple", Top1 = "top1", Top5 = "top5", ImagesPerSecond = "images_per_s",
        OlpLoss = "olp_loss", CenterLoss = "center_loss", HepClasses = "hep_classes";

    /// <summary>The value columns, in file order.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        LearningRate, Loss, ClassificationLoss, LocalLoss, Scale, Margin, MedianCosine, LogB, MatchesPerTuple, Top1,
        Top5, ImagesPerSecond, OlpLoss, CenterLoss, HepClasses,
    ];

    public double? this[string column] => Values.TryGetValue(column, out double value) ? value : null;
}
