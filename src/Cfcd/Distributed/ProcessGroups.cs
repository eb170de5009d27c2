namespace Cfcd.Distributed;

/// <summary>The process group of a launch: MPI's world for an mpirun or srun launch of several processes, else one
/// process alone. Why: the CLI's training verb makes one call whichever way it was started.</summary>
public static class ProcessGroups
{
    /// <param name="timeout">How long a collective waits for the slowest process (train.collective_timeout_s).
    /// </param>
    public static IProcessGroup ForLaunch(ProcessLaunch launch, TimeSpan timeout) =>
        launch.IsParallel ? MpiProcessGroup.Start(launch, timeout) : SingleProcessGroup.Instance;
}
