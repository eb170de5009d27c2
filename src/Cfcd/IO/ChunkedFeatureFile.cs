using System.Globalization;
using System.Text.Json;

namespace Cfcd.IO;

/// <summary>
/// A float32 feature matrix (.npy, [rows, dimension]) built in chunks of consecutive rows. Each chunk is a .npy file of
/// its own in <c>&lt;path&gt;.parts/</c>, written atomically, so a killed run keeps every chunk it finished and
/// processes (or machines) can share the chunks; <see cref="Merge"/> checks that every chunk is there and writes the
/// matrix. The parts folder's manifest records what the rows were computed with; chunks of other settings are refused.
/// The merged matrix keeps that manifest beside it, so a matrix of other settings counts as not written yet.
/// </summary>
public sealed class ChunkedFeatureFile
{
    /// <summary>EWOULDBLOCK: .NET's code for a file another process holds locked (any other error is not waited on).
    /// </summary>
    private const int WouldBlock = 11;

    private const string ManifestName = "manifest.json";

    // How the rows were split into chunks, not what they hold: a matrix merged from other chunks has the same rows.
    private const string ChunkRowsKey = "chunk_rows";

    public ChunkedFeatureFile(string path, int rows, int dimension, int chunkRows,
        IReadOnlyDictionary<string, string> settings)
    {
        if (rows < 0 || dimension < 1 || chunkRows < 1)
            throw new ArgumentException($"rows {rows}, dimension {dimension} and chunk rows {chunkRows} make no " +
                                        "matrix");
        Path = path;
        Rows = rows;
        Dimension = dimension;
        ChunkRows = chunkRows;
        Settings = new SortedDictionary<string, string>(settings.ToDictionary(pair => pair.Key, pair => pair.Value),
            StringComparer.Ordinal)
        {
            ["rows"] = Invariant(rows),
            ["dimension"] = Invariant(dimension),
            [ChunkRowsKey] = Invariant(chunkRows),
        };
    }

    /// <summary>The merged matrix.</summary>
    public string Path { get; }

    public string PartsFolder => Path + ".parts";

    /// <summary>The manifest of the merged matrix: what its rows were computed with.</summary>
    public string MergedManifest => Path + ".json";

    public int Rows { get; }

    public int Dimension { get; }

    public int ChunkRows { get; }

    public int Chunks => (Rows + ChunkRows - 1) / ChunkRows;

    /// <summary>What the rows depend on (with the shape), as the manifest stores it.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Whether the merged matrix exists with this shape and was computed with these settings.</summary>
    public bool IsMerged => File.Exists(Path) && Npy.ReadHeader(Path).Shape.SequenceEqual([Rows, (long)Dimension])
        && File.Exists(MergedManifest) && Mismatches(MergedManifest).All(mismatch => mismatch.Key == ChunkRowsKey);

    public (int First, int Count) Range(int chunk) =>
        (chunk * ChunkRows, Math.Min(ChunkRows, Rows - chunk * ChunkRows));

    public bool HasChunk(int chunk) => File.Exists(ChunkPath(chunk));

    public IReadOnlyList<int> MissingChunks() => Enumerable.Range(0, Chunks).Where(chunk => !HasChunk(chunk)).ToList();

    /// <summary>Creates the parts folder and its manifest, or checks that an existing manifest has these
    /// settings.</summary>
    public void Open()
    {
        Directory.CreateDirectory(PartsFolder);
        string manifest = System.IO.Path.Combine(PartsFolder, ManifestName);
        if (!File.Exists(manifest))
        {
            WriteManifest(manifest);
            return;
        }
        var mismatch = Mismatches(manifest).FirstOrDefault();
        if (mismatch.Key is not null)
            throw new InputException($"{manifest}: the chunks there were computed with {mismatch.Key} = " +
                                     $"{mismatch.Recorded ?? "(none)"}, this run has {mismatch.Value}; " +
                                     $"use the same settings or remove {PartsFolder}");
    }

    public void WriteChunk(int chunk, ReadOnlySpan<float> rows)
    {
        var (_, count) = Range(chunk);
        using var writer = new NpyWriter(ChunkPath(chunk), count, Dimension);
        writer.Write(rows[..(count * Dimension)]);
        writer.Complete();
    }

    /// <summary>Writes the matrix from all chunks (atomically) and removes the parts folder; a missing chunk is an
    /// error naming it. Of shards that finish together one merges (it holds an OS lock on the parts folder's
    /// merge.lock, which a killed process gives up) and the others wait for it.</summary>
    public void Merge()
    {
        while (true)
        {
            FileStream claim;
            try
            {
                claim = new FileStream(System.IO.Path.Combine(PartsFolder, "merge.lock"), FileMode.OpenOrCreate,
                    FileAccess.ReadWrite, FileShare.None);
            }
            catch (DirectoryNotFoundException) when (IsMerged)
            {
                return;
            }
            catch (IOException held) when (held.HResult == WouldBlock && Directory.Exists(PartsFolder))
            {
                Thread.Sleep(100);
                continue;
            }
            using (claim)
                MergeChunks();
            return;
        }
    }

    private void MergeChunks()
    {
        var missing = MissingChunks();
        if (missing.Count > 0)
        {
            var (first, count) = Range(missing[0]);
            throw new InputException($"{PartsFolder}: {missing.Count} of {Chunks} chunks are missing, the first " +
                                     $"holds rows {first} to " +
                                     $"{first + count - 1} (chunk {missing[0]}); run the shards that own them");
        }
        using (var writer = new NpyWriter(Path, Rows, Dimension))
        {
            for (int chunk = 0; chunk < Chunks; chunk++)
            {
                var (values, rows, columns) = Npy.ReadMatrix(ChunkPath(chunk));
                if (rows != Range(chunk).Count || columns != Dimension)
                    throw new InputException($"{ChunkPath(chunk)}: [{rows}, {columns}], expected " +
                                             $"[{Range(chunk).Count}, {Dimension}]");
                writer.Write(values);
            }
            writer.Complete();
        }
        WriteManifest(MergedManifest);
        Directory.Delete(PartsFolder, recursive: true);
    }

    private string ChunkPath(int chunk)
    {
        var (first, count) = Range(chunk);
        return System.IO.Path.Combine(PartsFolder,
            string.Create(CultureInfo.InvariantCulture, $"rows_{first:D8}-{first + count:D8}.npy"));
    }

    private void WriteManifest(string manifest) => AtomicFile.WriteAllText(manifest,
        JsonSerializer.Serialize(Settings, new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The settings <paramref name="manifest"/> records otherwise (or not at all), in key order.</summary>
    private IEnumerable<(string Key, string? Recorded, string Value)> Mismatches(string manifest)
    {
        Dictionary<string, string>? recorded;
        try
        {
            recorded = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(manifest));
        }
        catch (JsonException error)
        {
            throw new InputException($"{manifest}: not a chunk manifest ({error.Message})", error);
        }
        return Settings.Select(pair => (pair.Key, Recorded: recorded?.GetValueOrDefault(pair.Key), pair.Value))
            .Where(setting => setting.Recorded != setting.Value);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
