using Cfcd.Distributed;

namespace Cfcd.Tests.Distributed;

public class ProcessLaunchTests
{
    private static ProcessLaunch Launch(params (string Name, string Value)[] variables) =>
        ProcessLaunch.FromVariables(variables.ToDictionary(pair => pair.Name, pair => pair.Value).GetValueOrDefault);

    [Fact]
    public void OpenMpiGivesRankSizeAndLocalRank()
    {
        var launch = Launch(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4"),
            ("OMPI_COMM_WORLD_LOCAL_RANK", "1"), ("SLURM_STEP_ID", "0"), ("SLURM_PROCID", "0"), ("SLURM_NTASKS", "1"));
        Assert.Equal(new ProcessLaunch(3, 4, 1, "mpirun (Open MPI)"), launch);
        Assert.True(launch.IsParallel);
    }

    [Fact]
    public void PmiGivesRankAndSize()
    {
        var launch = Launch(("PMI_RANK", "1"), ("PMI_SIZE", "2"), ("MPI_LOCALRANKID", "1"));
        Assert.Equal(new ProcessLaunch(1, 2, 1, "PMI"), launch);
    }

    [Fact]
    public void SrunCountsOnlyInsideAJobStep()
    {
        (string, string)[] job = [("SLURM_PROCID", "2"), ("SLURM_NTASKS", "8"), ("SLURM_LOCALID", "0")];
        Assert.Equal(ProcessLaunch.Single, Launch(job));
        Assert.Equal(new ProcessLaunch(2, 8, 0, "srun"), Launch([.. job, ("SLURM_STEP_ID", "5")]));
    }

    [Fact]
    public void NoLauncherVariablesIsASingleProcess()
    {
        var launch = Launch();
        Assert.Equal(new ProcessLaunch(0, 1, 0, "none"), launch);
        Assert.False(launch.IsParallel);
    }

    [Theory]
    [InlineData("OMPI_COMM_WORLD_RANK", "one")]
    [InlineData("OMPI_COMM_WORLD_RANK", "-1")]
    [InlineData("OMPI_COMM_WORLD_SIZE", "")]
    [InlineData("OMPI_COMM_WORLD_LOCAL_RANK", "0x1")]
    public void ANumberThatIsNoneIsRefusedByItsVariable(string name, string value)
    {
        var variables = new Dictionary<string, string>
        {
            ["OMPI_COMM_WORLD_RANK"] = "0", ["OMPI_COMM_WORLD_SIZE"] = "2", ["OMPI_COMM_WORLD_LOCAL_RANK"] = "0",
            [name] = value,
        };
        var error = Assert.Throws<InputException>(() => ProcessLaunch.FromVariables(variables.GetValueOrDefault));
        Assert.Equal($"{name}={value}: not a number", error.Message);
    }

    [Theory]
    [InlineData("2", "2")]
    [InlineData("0", "0")]
    public void ARankOutsideTheSizeIsRefused(string rank, string size)
    {
        var error = Assert.Throws<InputException>(() => Launch(("PMI_RANK", rank), ("PMI_SIZE", size)));
        Assert.Equal($"PMI: rank {rank} of {size} (local rank 0) is not a rank", error.Message);
    }
}
