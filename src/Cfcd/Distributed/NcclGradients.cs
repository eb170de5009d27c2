using Cfcd.Native;
using Cfcd.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Cfcd.Distributed;

/// <summary>
/// Sums the gradients of parameters on a CUDA device over the processes of a data-parallel run with NCCL's
/// all-reduce, bucket by bucket, where they are. Why: MPI would take every gradient through host memory; NCCL
/// reduces GPU memory over NVLink or the network. Set up as Horovod does: rank 0 makes the NCCL id and the process
/// group hands it to the others.
/// </summary>
internal sealed class NcclGradients : IGradientReducer, IDisposable
{
    private readonly NcclLibrary _nccl;
    private readonly Device _device;
    private nint _comm;

    /// <summary>Every process of <paramref name="group"/> makes its NCCL communicator here, together.</summary>
    /// <param name="group">The run's processes; here only to hand rank 0's NCCL id to the others.</param>
    /// <param name="localRank">The process's rank on its machine: CUDA device cuda:localRank, which this makes the
    /// calling thread's current device, holds the parameters.</param>
    /// <exception cref="InputException">No NCCL installed, or no CUDA device for <paramref name="localRank"/>.
    /// </exception>
    public NcclGradients(IProcessGroup group, int localRank)
    {
        _nccl = NcclLibrary.Load();
        int devices = cuda.device_count();
        if (localRank >= devices)
            throw new InputException($"local rank {localRank} has no CUDA device: this process sees {devices}");
        _device = new Device(DeviceType.CUDA, localRank);
        LibTorchContext.SetCudaDevice(localRank);
        var id = new byte[NcclLibrary.UniqueIdBytes];
        if (group.Rank == 0)
            _nccl.GetUniqueId(id);
        group.Broadcast(id, root: 0);
        _comm = _nccl.CommInitRank(group.Size, id, group.Rank);
    }

    public void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters) =>
        GradientBuckets.ReduceAll(parameters, bucket =>
        {
            _nccl.AllReduceSumInPlace(_comm, DevicePointer(bucket), bucket.numel());
            cuda.synchronize(_device);   // the copy back that libtorch queues next reads the finished sum
        });

    public void Dispose()
    {
        if (_comm == 0)
            return;
        _nccl.CommDestroy(_comm);
        _comm = 0;
    }

    /// <summary>The address of a contiguous float32 bucket's first value in this device's memory.</summary>
    private nint DevicePointer(Tensor bucket)
    {
        if (bucket.device_type != DeviceType.CUDA || bucket.device_index != _device.index)
            throw new InvalidOperationException($"NCCL sums gradients on {_device}, not on {bucket.device}");
        using var scope = NewDisposeScope();   // storage<float>() wraps the tensor anew
        using var storage = bucket.storage<float>();
        return storage.data_ptr() + (nint)(bucket.storage_offset() * sizeof(float));
    }
}
