using System.Globalization;

namespace Cfcd.Training;

/// <summary>
/// metrics.csv: <c>phase,epoch,step,</c> then <see cref="MetricsRow.Columns"/>. Rows are appended and flushed as they
/// come; a resumed run first cuts the file back to the rows its checkpoint had seen, so that the file of a resumed
/// run reads as if the run had never stopped.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    private static readonly string Header = "phase,epoch,step," + string.Join(',', MetricsRow.Columns);
    private readonly StreamWriter _writer;

    private MetricsLog(StreamWriter writer, int rows)
    {
        _writer = writer;
        Rows = rows;
    }

    /// <summary>Data rows in the file.</summary>
    public int Rows { get; private set; }

    /// <summary>Opens <paramref name="path"/> keeping its first <paramref name="keepRows"/> data rows (a new file when
    /// 0).</summary>
    public static MetricsLog Open(string path, int keepRows)
    {
        var kept = keepRows > 0 && File.Exists(path) ? File.ReadLines(path).Skip(1).Take(keepRows).ToList() : [];
        if (kept.Count < keepRows)
            throw new InputException(
                $"{path}: has {kept.Count} metrics rows where the checkpoint saw {keepRows}; was it edited or cut?");
        var writer = new StreamWriter(path, append: false) { AutoFlush = true };
        writer.WriteLine(Header);
        // A run begun by an older cfcd has fewer columns, the new ones last: its rows get empty cells for them.
        foreach (var line in kept)
        {
            int missing = 2 + MetricsRow.Columns.Count - line.Count(character => character == ',');
            writer.WriteLine(line + new string(',', Math.Max(0, missing)));
        }
        return new MetricsLog(writer, kept.Count);
    }

    public void Append(MetricsRow row)
    {
        var cells = MetricsRow.Columns.Select(column =>
            row[column] is double value ? value.ToString("R", CultureInfo.InvariantCulture) : "");
        _writer.WriteLine(
            string.Join(',', new[] { row.Phase, Invariant(row.Epoch), Invariant(row.Step) }.Concat(cells)));
        Rows++;
    }

    /// <summary>The rows of a metrics file.</summary>
    public static IReadOnlyList<MetricsRow> Read(string path)
    {
        var rows = new List<MetricsRow>();
        int lineNumber = 1;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            lineNumber++;
            var cells = line.Split(',');
            if (cells.Length != 3 + MetricsRow.Columns.Count)
                throw new InputException(
                    $"{path}:{lineNumber}: expected {3 + MetricsRow.Columns.Count} cells, got {cells.Length}");
            var values = new Dictionary<string, double>();
            for (int column = 0; column < MetricsRow.Columns.Count; column++)
                if (cells[3 + column].Length > 0)
                    values[MetricsRow.Columns[column]] = double.Parse(cells[3 + column], CultureInfo.InvariantCulture);
            rows.Add(new MetricsRow(cells[0], int.Parse(cells[1], CultureInfo.InvariantCulture),
                long.Parse(cells[2], CultureInfo.InvariantCulture), values));
        }
        return rows;
    }

    public void Dispose() => _writer.Dispose();

    private static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
