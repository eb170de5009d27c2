using System.Runtime.InteropServices;

namespace Cfcd.Distributed;

/// <summary>
/// The few functions of NCCL's C API (nccl.h) that gradient sums need, from <c>libnccl.so.2</c> loaded at run time.
/// Why: cfcd links no NCCL, so CPU builds and single-GPU runs need none installed. Every ncclResult_t but
/// ncclSuccess (0) becomes an exception with NCCL's own words for it.
/// </summary>
internal sealed unsafe class NcclLibrary
{
    public const string FileName = "libnccl.so.2";

    /// <summary>sizeof(ncclUniqueId): NCCL_UNIQUE_ID_BYTES.</summary>
    public const int UniqueIdBytes = 128;

    private const int NcclFloat32 = 7;
    private const int NcclSum = 0;

    private readonly delegate* unmanaged<UniqueId*, int> _getUniqueId;
    private readonly delegate* unmanaged<nint*, int, UniqueId, int, int> _commInitRank;
    private readonly delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int> _allReduce;
    private readonly delegate* unmanaged<nint, int> _commDestroy;
    private readonly delegate* unmanaged<int, byte*> _getErrorString;

    private NcclLibrary(nint library)
    {
        _getUniqueId = (delegate* unmanaged<UniqueId*, int>)NativeLibrary.GetExport(library, "ncclGetUniqueId");
        _commInitRank = (delegate* unmanaged<nint*, int, UniqueId, int, int>)
            NativeLibrary.GetExport(library, "ncclCommInitRank");
        _allReduce = (delegate* unmanaged<nint, nint, nuint, int, int, nint, nint, int>)
            NativeLibrary.GetExport(library, "ncclAllReduce");
        _commDestroy = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "ncclCommDestroy");
        _getErrorString = (delegate* unmanaged<int, byte*>)NativeLibrary.GetExport(library, "ncclGetErrorString");
    }

    /// <exception cref="InputException">No libnccl.so.2 on the library path.</exception>
    public static NcclLibrary Load() =>
        NativeLibrary.TryLoad(FileName, out var library)
            ? new NcclLibrary(library)
            : throw new InputException($"{FileName} not found: data-parallel training on CUDA needs NCCL 2; install " +
                                       "NVIDIA's libnccl2 package or put its libnccl.so.2 on LD_LIBRARY_PATH");

    /// <summary>ncclGetUniqueId: a new communicator's id into <paramref name="id"/>
    /// (<see cref="UniqueIdBytes"/> bytes).</summary>
    public void GetUniqueId(Span<byte> id)
    {
        var value = default(UniqueId);
        Check(_getUniqueId(&value), "ncclGetUniqueId");
        new ReadOnlySpan<byte>(value.Internal, UniqueIdBytes).CopyTo(id);
    }

    /// <summary>ncclCommInitRank on the calling thread's current CUDA device; returns the ncclComm_t.</summary>
    public nint CommInitRank(int size, ReadOnlySpan<byte> id, int rank)
    {
        var value = default(UniqueId);
        id.CopyTo(new Span<byte>(value.Internal, UniqueIdBytes));
        nint comm;
        Check(_commInitRank(&comm, size, value, rank), "ncclCommInitRank");
        return comm;
    }

    /// <summary>ncclAllReduce of <paramref name="count"/> float32 values in place (ncclSum), queued on the legacy
    /// default stream (a null cudaStream_t).</summary>
    public void AllReduceSumInPlace(nint comm, nint buffer, long count) =>
        Check(_allReduce(buffer, buffer, (nuint)count, NcclFloat32, NcclSum, comm, 0), "ncclAllReduce");

    public void CommDestroy(nint comm) => Check(_commDestroy(comm), "ncclCommDestroy");

    private void Check(int result, string call)
    {
        if (result != 0)
        {
            string? words = Marshal.PtrToStringUTF8((nint)_getErrorString(result));
            throw new InvalidOperationException(
                $"{call} failed: {words} (ncclResult_t {result}; NCCL_DEBUG=WARN says more)");
        }
    }

    /// <summary>ncclUniqueId, which ncclCommInitRank takes by value.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct UniqueId
    {
        public fixed byte Internal[UniqueIdBytes];
    }
}
