namespace Cfcd.IO;

/// <summary>
/// Element and byte counts of a shape a file declares, null where they overflow: a hostile header's dimensions
/// multiply past 2^63, and unchecked arithmetic would wrap to a small, plausible size.
/// </summary>
internal static class ShapeSize
{
    public static long? Elements(IEnumerable<long> shape) =>
        Checked(() => shape.Aggregate(1L, (product, extent) => checked(product * extent)));

    public static long? Bytes(IEnumerable<long> shape, int elementSize) =>
        Elements(shape) is long elements ? Checked(() => checked(elements * elementSize)) : null;

    /// <summary>The count, or null when a <c>checked</c> step in it overflows.</summary>
    public static long? Checked(Func<long> count)
    {
        try
        {
            return count();
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
