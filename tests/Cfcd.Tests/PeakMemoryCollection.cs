namespace Cfcd.Tests;

/// <summary>
/// Tests that bound this process's peak memory (VmHWM) run alone, after the parallel tests: another test's
/// allocations in between would be counted as theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PeakMemoryCollection
{
    public const string Name = "the process's peak memory";
}
