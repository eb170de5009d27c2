using Cfcd.Data;

namespace Cfcd.Retrieval;

/// <summary>A feature file to write and the images of its rows, in row order.</summary>
public sealed record FeaturePart(string Path, IReadOnlyList<ExtractionItem> Items);

/// <summary>
/// The one rule for naming a data set's feature files in a folder (<c>&lt;name&gt;_query.npy</c>,
/// <c>&lt;name&gt;_db.npy</c>, <c>revisitop1m.npy</c>), so extraction writes them where evaluation and the demo look.
/// </summary>
public static class FeatureFiles
{
    public static string Queries(string folder, string dataset) => Path.Combine(folder, $"{dataset}_query.npy");

    public static string Database(string folder, string dataset) => Path.Combine(folder, $"{dataset}_db.npy");

    /// <summary>
    /// The feature files of <paramref name="dataset"/> in <paramref name="folder"/> and the images of each, in
    /// ground-truth order: for ROxford / RParis (and synth) the queries cropped to their bbx and the database; for
    /// revisitop1m the distractors.
    /// </summary>
    public static IReadOnlyList<FeaturePart> OfDataset(string dataRoot, string dataset, string folder)
    {
        if (dataset == RevisitedDatasets.Distractors)
            return [new(Path.Combine(folder, dataset + ".npy"), Items(RevisitedImages.DistractorPaths(dataRoot)))];
        string name = RevisitedDatasets.Canonical(dataset);
        var images = RevisitedImages.Load(dataRoot, name);
        var queries = Enumerable.Range(0, images.GroundTruth.Queries.Count)
            .Select(query => new ExtractionItem(images.QueryPath(query), images.QueryBox(query))).ToList();
        var database = Items(Enumerable.Range(0, images.GroundTruth.DatabaseNames.Count).Select(images.DatabasePath));
        return [new(Queries(folder, name), queries), new(Database(folder, name), database)];
    }

    /// <summary>One feature file, <paramref name="path"/>, of the images a list file or folder names.</summary>
    public static IReadOnlyList<FeaturePart> OfImageList(string listOrFolder, string path) =>
        [new(path, Items(ImageList.Read(listOrFolder)))];

    private static List<ExtractionItem> Items(IEnumerable<string> paths) =>
        paths.Select(path => new ExtractionItem(path)).ToList();
}
