using Cfcd.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Cfcd.Distributed;

/// <summary>The process group of a launch: MPI's world for an mpirun or srun launch of several processes, else one
/// process alone. Why: the CLI's training verb makes one call whichever way it was started.</summary>
public static class ProcessGroups
{
    /// <param name="timeout">How long a collective waits for the slowest process (train.collective_timeout_s).
    /// </param>
    public static IProcessGroup ForLaunch(ProcessLaunch launch, TimeSpan timeout) =>
        launch.IsParallel ? MpiProcessGroup.Start(launch, timeout) : SingleProcessGroup.Instance;

    /// <summary>This process's device: in a parallel launch on CUDA, GPU number local rank (one GPU per process).
    /// </summary>
    public static Device DeviceOf(ProcessLaunch launch, Device requested) =>
        launch.IsParallel && requested.type == DeviceType.CUDA
            ? new Device(DeviceType.CUDA, launch.LocalRank)
            : requested;

    /// <summary>How a step's gradients are summed over the processes: NCCL for CUDA, otherwise null (the trainer sums
    /// CPU gradients through the group with MPI). What is returned must be disposed (NCCL's communicator).</summary>
    public static IGradientReducer? GradientsFor(IProcessGroup group, ProcessLaunch launch, Device device) =>
        group.Size > 1 && device.type == DeviceType.CUDA ? new NcclGradients(group, launch.LocalRank) : null;
}
