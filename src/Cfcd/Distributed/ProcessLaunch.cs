using System.Globalization;

namespace Cfcd.Distributed;

/// <summary>
/// Which process of a parallel launch this is, read from what the launcher sets: Open MPI's mpirun
/// (OMPI_COMM_WORLD_*), a PMI launcher (PMI_RANK, PMI_SIZE) or SLURM's srun (SLURM_PROCID, SLURM_NTASKS inside a
/// job step). Why: a process started by hand is rank 0 of 1 and needs no MPI library at all.
/// </summary>
public sealed record ProcessLaunch(int Rank, int Size, int LocalRank, string Launcher)
{
    public static ProcessLaunch Single { get; } = new(0, 1, 0, "none");

    public bool IsParallel => Size > 1;

    public static ProcessLaunch FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    public static ProcessLaunch FromVariables(Func<string, string?> variable)
    {
        if (Read(variable, "OMPI_COMM_WORLD_SIZE") is int size && Read(variable, "OMPI_COMM_WORLD_RANK") is int rank)
            return Checked(rank, size, Read(variable, "OMPI_COMM_WORLD_LOCAL_RANK") ?? 0, "mpirun (Open MPI)");
        if (Read(variable, "PMI_SIZE") is int pmiSize && Read(variable, "PMI_RANK") is int pmiRank)
            return Checked(pmiRank, pmiSize, Read(variable, "MPI_LOCALRANKID") ?? 0, "PMI");
        if (variable("SLURM_STEP_ID") is not null && Read(variable, "SLURM_NTASKS") is int tasks
            && Read(variable, "SLURM_PROCID") is int task)
            return Checked(task, tasks, Read(variable, "SLURM_LOCALID") ?? 0, "srun");
        return Single;
    }

    public override string ToString() => $"rank {Rank} of {Size} ({Launcher}, local rank {LocalRank})";

    private static ProcessLaunch Checked(int rank, int size, int localRank, string launcher) =>
        size >= 1 && rank >= 0 && rank < size && localRank >= 0
            ? new ProcessLaunch(rank, size, localRank, launcher)
            : throw new InputException($"{launcher}: rank {rank} of {size} (local rank {localRank}) is not a rank");

    private static int? Read(Func<string, string?> variable, string name) =>
        variable(name) is string text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new InputException($"{name}={text}: not a number")
            : null;
}
