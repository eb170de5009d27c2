namespace Cfcd.Data.Synthetic;

/// <summary>What a generator is drawn for; part of its seed, so that no two purposes share a stream.</summary>
internal enum RandomStream
{
    TrainScene = 1,
    TestScene = 2,
    DistractorScene = 3,
    TrainView = 4,
    ValidationView = 5,
    QueryView = 6,
    DatabaseView = 7,
    DistractorView = 8,
    DatabaseOrder = 9,
}

/// <summary>
/// A SplitMix64 generator. Every scene and view gets its own, seeded from (seed, stream, group, index) by an
/// explicit integer mix (not <see cref="HashCode"/>, which is randomised per process, nor <see cref="Random"/>,
/// whose algorithm is not a contract), so a data set is the same whatever the thread count or the runtime.
/// </summary>
internal sealed class SyntheticRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15;
    private ulong _state;

    public SyntheticRandom(ulong state) => _state = state;

    public static SyntheticRandom For(int seed, RandomStream stream, int group, int index)
    {
        ulong state = Mix((ulong)(uint)seed + Golden);
        state = Mix(state ^ ((ulong)stream + Golden));
        state = Mix(state ^ ((ulong)(uint)group + Golden));
        state = Mix(state ^ ((ulong)(uint)index + Golden));
        return new SyntheticRandom(state);
    }

    public ulong NextUInt64()
    {
        _state += Golden;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public float Range(double low, double high) => (float)(low + (high - low) * NextDouble());

    /// <summary>Uniform in [-magnitude, magnitude).</summary>
    public float Symmetric(double magnitude) => Range(-magnitude, magnitude);

    /// <summary>Uniform integer in [0, count).</summary>
    public int Next(int count) => (int)(NextDouble() * count);

    /// <summary>Uniform integer in [low, high].</summary>
    public int Between(int low, int high) => low + Next(high - low + 1);

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>An index drawn with the given relative weights.</summary>
    public int Weighted(params double[] weights)
    {
        double draw = NextDouble() * weights.Sum();
        for (int i = 0; i < weights.Length - 1; i++)
        {
            draw -= weights[i];
            if (draw < 0)
                return i;
        }
        return weights.Length - 1;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
