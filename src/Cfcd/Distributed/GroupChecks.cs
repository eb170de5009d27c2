namespace Cfcd.Distributed;

/// <summary>Checks that every process of a run holds the same value. Why: processes that disagree on where a run
/// stands would train different steps and wait on each other for ever.</summary>
internal static class GroupChecks
{
    public static void RequireSame(IProcessGroup group, double value, string what)
    {
        if (group.Size == 1)
            return;
        var (all, _) = group.Gather([value]);
        if (all.Any(other => !other.Equals(value)))
            throw new InputException($"the processes disagree on {what}: {string.Join(", ", all.Select(
                (other, rank) => $"rank {rank} {other}"))}; do all of them see the same run folder?");
    }
}
