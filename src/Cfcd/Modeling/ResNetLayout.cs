namespace Cfcd.Modeling;

/// <summary>
/// The shape of a ResNet: block type and blocks per stage for a depth, and the channel width of the stem.
/// Width 64 is the standard network; smaller widths scale every layer (tiny CPU models).
/// </summary>
public sealed record ResNetLayout(int Depth, int Width = 64)
{
    private static readonly Dictionary<int, (bool Bottleneck, int[] Blocks)> Depths = new()
    {
        [18] = (false, [2, 2, 2, 2]),
        [34] = (false, [3, 4, 6, 3]),
        [50] = (true, [3, 4, 6, 3]),
        [101] = (true, [3, 4, 23, 3]),
        [152] = (true, [3, 8, 36, 3]),
    };

    public static IReadOnlyCollection<int> SupportedDepths => Depths.Keys;

    public bool Bottleneck => Lookup().Bottleneck;

    public IReadOnlyList<int> BlocksPerStage => Lookup().Blocks;

    /// <summary>Channels a block of each stage produces: widths 1, 2, 4, 8 times the stem, times 4 for
    /// bottlenecks.</summary>
    public int StageOutput(int stage) => Width * (1 << stage) * (Bottleneck ? 4 : 1);

    /// <summary>Channels of res4, the map the head pools (2048 for a standard ResNet-50).</summary>
    public int OutputChannels => StageOutput(3);

    public static bool IsSupported(int depth) => Depths.ContainsKey(depth);

    /// <summary>The depth whose layout has these blocks per stage, or null.</summary>
    public static int? DepthOf(bool bottleneck, IReadOnlyList<int> blocksPerStage) =>
        Depths.Where(pair => pair.Value.Bottleneck == bottleneck && pair.Value.Blocks.SequenceEqual(blocksPerStage))
              .Select(pair => (int?)pair.Key)
              .FirstOrDefault();

    private (bool Bottleneck, int[] Blocks) Lookup() =>
        Depths.TryGetValue(Depth, out var layout)
            ? layout
            : throw new ArgumentException($"ResNet depth {Depth} is not one of {string.Join(", ", Depths.Keys)}");
}
