using Cfcd.IO;

namespace Cfcd.Retrieval;

/// <summary>One query of a revisited data set: its crop and the database indices by difficulty.</summary>
public sealed record QueryGroundTruth(double[] Bbx, int[] Easy, int[] Hard, int[] Junk);

/// <summary>A revisitop ground truth (`gnd_<name>.pkl`): query and database image names and per-query labels.</summary>
public sealed record GroundTruth(IReadOnlyList<string> QueryNames, IReadOnlyList<string> DatabaseNames,
    IReadOnlyList<QueryGroundTruth> Queries)
{
    public static GroundTruth Load(string path) => FromPickle(PickleReader.Load(path), path);

    /// <summary>The Python structure the pickle holds: {'gnd': [...], 'imlist': [...], 'qimlist': [...]}.</summary>
    public static GroundTruth FromPickle(object? root, string path)
    {
        var top = root as Dictionary<object, object?> ?? throw Bad(path, "the top level is not a dict");
        var queryNames = Strings(Field(top, "qimlist", path), "qimlist", path);
        var databaseNames = Strings(Field(top, "imlist", path), "imlist", path);
        var entries = Field(top, "gnd", path) as List<object?> ?? throw Bad(path, "'gnd' is not a list");
        if (entries.Count != queryNames.Count)
            throw Bad(path, $"'gnd' has {entries.Count} entries but 'qimlist' names {queryNames.Count} queries");

        var queries = new List<QueryGroundTruth>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] as Dictionary<object, object?> ?? throw Bad(path, $"gnd[{i}] is not a dict");
            var bbx = (Field(entry, "bbx", path) as List<object?> ?? throw Bad(path, $"gnd[{i}]['bbx'] is not a list"))
                .Select(value => value switch { long integer => integer, double real => real,
                    _ => throw Bad(path, $"gnd[{i}]['bbx'] holds a non-number") })
                .ToArray();
            if (bbx.Length != 4)
                throw Bad(path, $"gnd[{i}]['bbx'] has {bbx.Length} values, not 4");
            queries.Add(new QueryGroundTruth(bbx,
                Indices(entry, "easy", i, databaseNames.Count, path),
                Indices(entry, "hard", i, databaseNames.Count, path),
                Indices(entry, "junk", i, databaseNames.Count, path)));
        }
        return new GroundTruth(queryNames, databaseNames, queries);
    }

    /// <summary>The Python structure for <see cref="PickleWriter"/>, the same layout as the official files.</summary>
    public Dictionary<string, object?> ToPickle() => new()
    {
        ["gnd"] = Queries.Select(query => (object?)new Dictionary<string, object?>
        {
            ["bbx"] = query.Bbx.Cast<object?>().ToList(),
            ["easy"] = query.Easy.Cast<object?>().ToList(),
            ["hard"] = query.Hard.Cast<object?>().ToList(),
            ["junk"] = query.Junk.Cast<object?>().ToList(),
        }).ToList(),
        ["imlist"] = DatabaseNames.ToList(),
        ["qimlist"] = QueryNames.ToList(),
    };

    private static object? Field(Dictionary<object, object?> dict, string key, string path) =>
        dict.TryGetValue(key, out object? value) ? value : throw Bad(path, $"missing key '{key}'");

    private static List<string> Strings(object? value, string key, string path) =>
        (value as List<object?> ?? throw Bad(path, $"'{key}' is not a list"))
            .Select(item => item as string ?? throw Bad(path, $"'{key}' holds a non-string")).ToList();

    private static int[] Indices(Dictionary<object, object?> entry, string key, int query, int databaseSize,
        string path)
    {
        // A missing list is an empty one, as revisitop's evaluation treats it.
        if (!entry.TryGetValue(key, out object? value))
            return [];
        var list = value as List<object?> ?? throw Bad(path, $"gnd[{query}]['{key}'] is not a list");
        return list.Select(item => item is long index && index >= 0 && index < databaseSize
            ? (int)index
            : throw Bad(path,
                $"gnd[{query}]['{key}'] holds {item ?? "None"}, not an index into the {databaseSize} database images"))
                .ToArray();
    }

    private static InputException Bad(string path, string problem) =>
        new($"{path}: not a revisitop ground truth: {problem}");
}
