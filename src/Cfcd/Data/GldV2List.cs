using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Cfcd.IO;

namespace Cfcd.Data;

/// <summary>What <see cref="GldV2List.Convert"/> wrote.</summary>
public sealed record GldV2ListSummary(int Classes, int TrainImages, int ValImages, int DroppedClasses);

/// <summary>
/// Builds CFCD lists from GLDv2's <c>train_clean.csv</c> (<c>landmark_id,images</c>, the images space-separated ids;
/// an image's path is <c>train/a/b/c/abc....jpg</c> from its first three characters). Labels are contiguous, in
/// ascending landmark id, over the classes with at least <c>minImages</c> images. The validation split is
/// stratified and deterministic: in each class, round(n x valFraction) images (at most n - 1) go to validation,
/// those with the smallest SHA-256 of "seed:image id", so the choice does not depend on file order or other classes.
/// </summary>
public static class GldV2List
{
    public static GldV2ListSummary Convert(string csvPath, string trainListPath, string? valListPath,
        double valFraction, int minImages, int seed)
    {
        if (valFraction is < 0 or >= 1)
            throw new InputException($"--val-fraction {valFraction}: must be in [0, 1)");
        var classes = ReadClasses(csvPath);
        var kept = classes.Where(pair => pair.Value.Count >= Math.Max(1, minImages)).OrderBy(pair => pair.Key).ToList();
        var train = new StringBuilder();
        var val = new StringBuilder();
        int trainCount = 0, valCount = 0;
        for (int label = 0; label < kept.Count; label++)
        {
            var images = kept[label].Value;
            int validation = valListPath is null ? 0 : Math.Min((int)Math.Round(images.Count * valFraction,
                MidpointRounding.AwayFromZero), images.Count - 1);
            var ranked = images.OrderBy(id => Rank(seed, id), StringComparer.Ordinal)
                .ThenBy(id => id, StringComparer.Ordinal).ToList();
            foreach (var id in ranked.Take(validation).Order(StringComparer.Ordinal))
                val.Append(CultureInfo.InvariantCulture, $"{ImagePath(id)} {label}\n");
            foreach (var id in ranked.Skip(validation).Order(StringComparer.Ordinal))
                train.Append(CultureInfo.InvariantCulture, $"{ImagePath(id)} {label}\n");
            valCount += validation;
            trainCount += images.Count - validation;
        }
        AtomicFile.WriteAllText(trainListPath, train.ToString());
        if (valListPath is not null)
            AtomicFile.WriteAllText(valListPath, val.ToString());
        return new GldV2ListSummary(kept.Count, trainCount, valCount, classes.Count - kept.Count);
    }

    /// <summary>GLDv2's layout: <c>train/a/b/c/abc...jpg</c>.</summary>
    public static string ImagePath(string id) => $"train/{id[0]}/{id[1]}/{id[2]}/{id}.jpg";

    private static Dictionary<long, List<string>> ReadClasses(string csvPath)
    {
        if (!File.Exists(csvPath))
            throw new InputException($"{csvPath}: no such file");
        var classes = new Dictionary<long, List<string>>();
        int lineNumber = 0;
        foreach (var line in InputFile.ReadLines(csvPath))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (!line.StartsWith("landmark_id,images", StringComparison.Ordinal))
                    throw new InputException($"{csvPath}:1: expected the header 'landmark_id,images', got '{line}'");
                continue;
            }
            if (line.Length == 0)
                continue;
            int comma = line.IndexOf(',');
            if (comma < 0 || !long.TryParse(line.AsSpan(0, comma), NumberStyles.None, CultureInfo.InvariantCulture,
                out long landmark))
                throw new InputException($"{csvPath}:{lineNumber}: expected 'landmark_id,images'");
            var ids = line[(comma + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (ids.Any(id => id.Length < 3 || !id.All(char.IsAsciiLetterOrDigit)))
                throw new InputException($"{csvPath}:{lineNumber}: an image id is not alphanumeric with at least 3 " +
                                         "characters");
            if (!classes.TryGetValue(landmark, out var list))
                classes[landmark] = list = new List<string>();
            list.AddRange(ids);
        }
        return classes;
    }

    private static string Rank(int seed, string id) =>
        System.Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes($"{seed}:{id}")));
}
