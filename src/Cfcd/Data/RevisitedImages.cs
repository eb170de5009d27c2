using Cfcd.Retrieval;

namespace Cfcd.Data;

/// <summary>
/// Where the images of a revisited data set are (revisitop's layout:
/// <c>&lt;root&gt;/&lt;name&gt;/jpg/&lt;image&gt;.jpg</c>)
/// and each query's crop; the R1M distractors are listed in <c>&lt;root&gt;/revisitop1m/revisitop1m.txt</c>,
/// relative to <c>&lt;root&gt;/revisitop1m/jpg/</c>.
/// </summary>
public sealed class RevisitedImages
{
    private readonly string _imageFolder;

    private RevisitedImages(string imageFolder, GroundTruth groundTruth)
    {
        _imageFolder = imageFolder;
        GroundTruth = groundTruth;
    }

    public GroundTruth GroundTruth { get; }

    /// <summary>
    /// The images under <paramref name="dataRoot"/> with the ground truth found there, or read from
    /// <paramref name="groundTruthPath"/> when one is given (the images are then in &lt;root&gt;/&lt;name&gt;/jpg).
    /// </summary>
    public static RevisitedImages Load(string dataRoot, string name, string? groundTruthPath = null)
    {
        string groundTruth = groundTruthPath ?? RevisitedDatasets.FindGroundTruth(dataRoot, name);
        string folder = groundTruthPath is null
            ? Path.Combine(Path.GetDirectoryName(groundTruth)!, "jpg")
            : Path.Combine(dataRoot, name, "jpg");
        if (!Directory.Exists(folder))
            throw new InputException($"{folder}: no image folder (revisitop layout: <root>/{name}/jpg/*.jpg)");
        return new RevisitedImages(folder, GroundTruth.Load(groundTruth));
    }

    public string QueryPath(int query) => Path.Combine(_imageFolder, GroundTruth.QueryNames[query] + ".jpg");

    /// <summary>The query's bbx, to crop the query image with (<see cref="CropBox.FromBbx"/>).</summary>
    public IReadOnlyList<double> QueryBox(int query) => GroundTruth.Queries[query].Bbx;

    public string DatabasePath(int index) => Path.Combine(_imageFolder, GroundTruth.DatabaseNames[index] + ".jpg");

    public static IReadOnlyList<string> DistractorPaths(string dataRoot)
    {
        string folder = Path.Combine(dataRoot, "revisitop1m");
        string list = Path.Combine(folder, "revisitop1m.txt");
        if (!File.Exists(list))
            throw new InputException($"{list}: no R1M image list (scripts/data/download_revisitop1m.sh fetches it)");
        return InputFile.ReadLines(list).Select(line => line.Trim()).Where(line => line.Length > 0)
            .Select(line => Path.Combine(folder, "jpg", line)).ToList();
    }
}
