using System.Globalization;

namespace Cfcd.Data;

/// <summary>
/// A training or validation list in the CFCD format: one <c>relative/path.jpg label</c> per line, paths relative
/// to a root folder. Labels are integers from 0.
/// </summary>
public sealed class ImageDataset
{
    private ImageDataset(IReadOnlyList<ImageSample> samples, IReadOnlyList<string> relativePaths)
    {
        Samples = samples;
        RelativePaths = relativePaths;
        Classes = samples.Count == 0 ? 0 : samples.Max(sample => sample.Label) + 1;
    }

    public IReadOnlyList<ImageSample> Samples { get; }

    /// <summary>The paths as the list writes them (what score files refer to).</summary>
    public IReadOnlyList<string> RelativePaths { get; }

    /// <summary>One more than the largest label.</summary>
    public int Classes { get; }

    public IReadOnlyList<int> Labels => Samples.Select(sample => sample.Label).ToList();

    public static ImageDataset Load(string listPath, string root)
    {
        if (!File.Exists(listPath))
            throw new InputException($"{listPath}: no such list file");
        var samples = new List<ImageSample>();
        var relative = new List<string>();
        int lineNumber = 0;
        foreach (var rawLine in InputFile.ReadLines(listPath))
        {
            lineNumber++;
            string line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int space = line.LastIndexOfAny([' ', '\t']);
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture,
                out int label))
                throw new InputException($"{listPath}:{lineNumber}: expected 'relative/path.jpg label' with a label " +
                                         $">= 0, got '{line}'");
            string path = line[..space].TrimEnd();
            relative.Add(path);
            samples.Add(new ImageSample(Path.Combine(root, path), label));
        }
        if (samples.Count == 0)
            throw new InputException($"{listPath}: the list has no images");
        return new ImageDataset(samples, relative);
    }
}
