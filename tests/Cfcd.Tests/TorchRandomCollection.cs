namespace Cfcd.Tests;

/// <summary>
/// Tests that seed libtorch's global generator and rely on what it draws next (network initialisation, random
/// batches) run alone, after the parallel tests: another test drawing in between would change their numbers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomCollection
{
    public const string Name = "libtorch's global random generator";
}
