namespace Cfcd.Data.Synthetic;

/// <summary>
/// The size and seed of a synthetic data set. <see cref="Validate"/> names problems by the option names of
/// <c>cfcd synth</c>, which mirror these properties.
/// </summary>
public sealed record SyntheticOptions(
    int Seed = 1,
    int Classes = 20,
    int TrainPerClass = 20,
    int ValidationPerClass = 4,
    int Queries = 10,
    int Database = 200,
    int Size = 128)
{
    public const int MaxSize = 2048;
    public const int MaxImages = 1_000_000;

    /// <summary>Training views, validation views, queries and database images together.</summary>
    public long TotalImages => (long)Classes * (TrainPerClass + ValidationPerClass) + Queries + Database;

    /// <summary>Test scenes: two queries per scene, as revisitop has several queries per landmark.</summary>
    public int TestScenes => (Queries + 1) / 2;

    /// <summary>Database views of the test scenes (the rest are distractors): half the database, at least one per
    /// scene.</summary>
    public int Positives => Math.Max(TestScenes, Database / 2);

    public int Distractors => Database - Positives;

    /// <exception cref="InputException">An option is out of range.</exception>
    public void Validate()
    {
        AtLeast("--classes", Classes, 2);
        AtLeast("--train-per-class", TrainPerClass, 2);
        AtLeast("--val-per-class", ValidationPerClass, 1);
        AtLeast("--queries", Queries, 1);
        AtLeast("--db", Database, Queries, $"at least --queries ({Queries})");
        AtLeast("--size", Size, 32);
        if (Size > MaxSize)
            throw new InputException($"--size: must be at most {MaxSize}, got {Size}");
        if (TotalImages > MaxImages)
            throw new InputException($"the options ask for {TotalImages:N0} images; at most {MaxImages:N0} are " +
                                     "allowed");
    }

    private static void AtLeast(string option, int value, int minimum, string? what = null)
    {
        if (value < minimum)
            throw new InputException($"{option}: must be {what ?? $"at least {minimum}"}, got {value}");
    }
}
