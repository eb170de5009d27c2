using Cfcd.IO;

namespace Cfcd.Tests.IO;

/// <summary>Features held in a row-major array.</summary>
internal sealed class InMemoryFeatureRows(string name, float[] values, int columns) : IFeatureRows
{
    public string Name { get; } = name;
    public long Rows { get; } = values.Length / columns;
    public int Columns { get; } = columns;

    public void ReadRows(long first, int count, Span<float> destination) =>
        values.AsSpan(checked((int)(first * Columns)), count * Columns).CopyTo(destination);
}
