using System.Globalization;

namespace Cfcd.Data;

/// <summary>
/// The stage-1 score file <c>cfcd score</c> writes for the tuple sampler: one <c>path true_label predicted_label
/// score</c>
/// per line, paths as the training list writes them.
/// </summary>
internal static class StageOneScores
{
    /// <summary>
    /// Writes the score file atomically: one line per prediction (data-set index, predicted class, score), in the
    /// order given, with the path as the list writes it and the list's label.
    /// </summary>
    public static void Write(string path, ImageDataset dataset,
        IEnumerable<(int SampleIndex, int Predicted, float Score)> predictions) =>
        IO.AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream);
            foreach (var (index, predicted, score) in predictions)
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{dataset.RelativePaths[index]} {dataset.Samples[index].Label} {predicted} {score:R}"));
        });

    /// <summary>The predicted class of every sample of <paramref name="dataset"/>; null where the file has no
    /// line.</summary>
    public static int?[] LoadPredictions(string path, ImageDataset dataset)
    {
        if (!File.Exists(path))
            throw new InputException($"{path}: no such score file");
        var indexByPath = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < dataset.RelativePaths.Count; i++)
            indexByPath[dataset.RelativePaths[i]] = i;
        var predicted = new int?[dataset.Samples.Count];
        int lineNumber = 0;
        foreach (var line in InputFile.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0)
                continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4
                || !int.TryParse(fields[^3], NumberStyles.None, CultureInfo.InvariantCulture, out int trueLabel)
                || !int.TryParse(fields[^2], NumberStyles.None, CultureInfo.InvariantCulture, out int predictedLabel)
                || !double.TryParse(fields[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                throw new InputException($"{path}:{lineNumber}: expected 'path true_label predicted_label score'");
            string imagePath = string.Join(' ', fields[..^3]);
            if (!indexByPath.TryGetValue(imagePath, out int index))
                throw new InputException($"{path}:{lineNumber}: {imagePath} is not in the training list");
            if (dataset.Samples[index].Label != trueLabel)
                throw new InputException($"{path}:{lineNumber}: {imagePath} has label {dataset.Samples[index].Label} " +
                                         $"in the training list, {trueLabel} here");
            predicted[index] = predictedLabel;
        }
        return predicted;
    }
}
