using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cfcd.Distributed;

/// <summary>
/// The processes of an mpirun or srun launch over MPI's world communicator. Every collective is non-blocking and
/// waited for with a deadline; beside it each rank tells every other that it has arrived (a small message), so a
/// rank that died, hangs or was stopped is named when the deadline passes instead of leaving the others waiting for
/// ever. Why: MPI's blocking collectives cannot be given a timeout, and a hung rank names nobody.
/// </summary>
internal sealed unsafe class MpiProcessGroup : IProcessGroup
{
    private const int ArrivalTag = 7077;
    private static readonly void* InPlace = (void*)1; // Open MPI's MPI_IN_PLACE

    private readonly MpiLibrary _mpi;
    private readonly TimeSpan _timeout;
    private readonly int* _arrivals;
    private int _sequence;
    private bool _broken;

    private MpiProcessGroup(MpiLibrary mpi, TimeSpan timeout)
    {
        _mpi = mpi;
        _timeout = timeout;
        int rank, size;
        mpi.Check(mpi.CommRank(mpi.CommWorld, &rank), "MPI_Comm_rank");
        mpi.Check(mpi.CommSize(mpi.CommWorld, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        _arrivals = (int*)NativeMemory.AllocZeroed((nuint)(2 * size), sizeof(int));
    }

    public int Rank { get; }

    public int Size { get; }

    /// <summary>Initialises MPI for a parallel launch; its rank and size must be the launcher's.</summary>
    /// <param name="timeout">How long a collective waits for the slowest rank before naming it.</param>
    public static MpiProcessGroup Start(ProcessLaunch launch, TimeSpan timeout)
    {
        var group = new MpiProcessGroup(MpiLibrary.Initialise(launch.Launcher), timeout);
        if (group.Rank != launch.Rank || group.Size != launch.Size)
            throw new InputException($"{launch.Launcher} says rank {launch.Rank} of {launch.Size}, MPI says rank " +
                                     $"{group.Rank} of {group.Size}: the launcher and {MpiLibrary.FileName} differ");
        return group;
    }

    public void SumInPlace(Span<float> values)
    {
        fixed (float* data = values)
            Sum((IntPtr)data, values.Length, _mpi.Float);
    }

    public void SumInPlace(Span<double> values)
    {
        fixed (double* data = values)
            Sum((IntPtr)data, values.Length, _mpi.Double);
    }

    public (double[] All, int First) Gather(ReadOnlySpan<double> local)
    {
        var counts = new int[Size];
        counts[Rank] = local.Length;
        fixed (int* countData = counts)
            Sum((IntPtr)countData, Size, _mpi.Int);
        var offsets = new int[Size];
        for (int rank = 1; rank < Size; rank++)
            offsets[rank] = offsets[rank - 1] + counts[rank - 1];
        var all = new double[offsets[^1] + counts[^1]];
        fixed (double* send = local)
        fixed (double* receive = all)
        fixed (int* countData = counts)
        fixed (int* offsetData = offsets)
        {
            IntPtr from = (IntPtr)send, to = (IntPtr)receive, sizes = (IntPtr)countData, at = (IntPtr)offsetData;
            int length = local.Length;
            Collective("gather", request => _mpi.Iallgatherv((void*)from, length, _mpi.Double, (void*)to,
                (int*)sizes, (int*)at, _mpi.Double, _mpi.CommWorld, (IntPtr*)request));
        }
        return (all, offsets[Rank]);
    }

    public void Broadcast(Span<byte> values, int root)
    {
        fixed (byte* data = values)
        {
            IntPtr address = (IntPtr)data;
            int length = values.Length;
            Collective("broadcast", request => _mpi.Ibcast((void*)address, length, _mpi.Byte, root, _mpi.CommWorld,
                (IntPtr*)request));
        }
    }

    public void Abandon() => _broken = true;

    public void Dispose()
    {
        // After a lost rank MPI_Finalize would wait for it; the launcher ends the others when this process exits.
        if (!_broken)
            _mpi.FinalizeMpi();
        NativeMemory.Free(_arrivals);
    }

    private void Sum(IntPtr data, int length, IntPtr type) =>
        Collective("sum", request => _mpi.Iallreduce(InPlace, (void*)data, length, type, _mpi.Sum, _mpi.CommWorld,
            (IntPtr*)request));

    /// <summary>Starts one collective and the arrival messages, then waits for all of them until the deadline.
    /// </summary>
    private void Collective(string what, Func<IntPtr, int> start)
    {
        if (_broken)
            throw new RankLostException("a rank was lost earlier; the process group cannot be used");
        int sequence = ++_sequence;
        var requests = new IntPtr[1 + 2 * (Size - 1)];
        var peers = new int[requests.Length];
        fixed (IntPtr* request = requests)
        {
            int next = 0;
            for (int peer = 0; peer < Size; peer++)
            {
                if (peer == Rank)
                    continue;
                _arrivals[2 * peer] = sequence;
                _mpi.Check(_mpi.Isend(&_arrivals[2 * peer], 1, _mpi.Int, peer, ArrivalTag, _mpi.CommWorld,
                    &request[next]), "MPI_Isend");
                peers[next++] = -1;
                _mpi.Check(_mpi.Irecv(&_arrivals[2 * peer + 1], 1, _mpi.Int, peer, ArrivalTag, _mpi.CommWorld,
                    &request[next]), "MPI_Irecv");
                peers[next++] = peer;
            }
            _mpi.Check(start((IntPtr)(&request[next])), $"MPI {what}");
            peers[next] = -1;
            Wait(request, requests.Length, peers, what, sequence);
        }
    }

    private void Wait(IntPtr* requests, int count, int[] peers, string what, int sequence)
    {
        var done = new bool[count];
        int remaining = count;
        var clock = Stopwatch.StartNew();
        for (int spin = 0; remaining > 0; spin++)
        {
            for (int index = 0; index < count; index++)
            {
                if (done[index])
                    continue;
                int flag;
                _mpi.Check(_mpi.Test(&requests[index], &flag, IntPtr.Zero), "MPI_Test");
                if (flag != 0)
                {
                    done[index] = true;
                    remaining--;
                }
            }
            if (remaining == 0)
                break;
            if (clock.Elapsed > _timeout)
                throw Lost(peers, done, what, sequence);
            if (spin > 1000)
                Thread.Sleep(spin > 100_000 ? 5 : 0);
        }
    }

    private RankLostException Lost(int[] peers, bool[] done, string what, int sequence)
    {
        _broken = true;
        var missing = peers.Where((peer, index) => peer >= 0 && !done[index]).ToList();
        string who = missing.Count > 0
            ? $"rank {string.Join(", ", missing)} did not arrive"
            : "every rank arrived but the operation did not finish";
        return new RankLostException($"rank {Rank} of {Size}: {who} at collective {sequence} ({what}) within " +
                                     $"{_timeout.TotalSeconds:0} s (train.collective_timeout_s); it died, hangs or " +
                                     "was stopped. Run the same command again to resume from the last checkpoint");
    }
}
