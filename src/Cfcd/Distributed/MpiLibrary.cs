using System.Runtime.InteropServices;

namespace Cfcd.Distributed;

/// <summary>
/// The few calls of Open MPI's C library (libmpi.so.40) that data-parallel training uses, bound at run time. Why: a
/// process that is not launched by mpirun or srun never loads MPI, so cfcd runs without it installed. Open MPI's
/// handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of its exported objects (ompi_mpi_*); MPICH's
/// integer handles are a different ABI and are not supported.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    public const string FileName = "libmpi.so.40";
    private const int ThreadSerialized = 2;
    private const int RtldNow = 2, RtldGlobal = 0x100;

    private readonly IntPtr _handle;

    private MpiLibrary(IntPtr handle)
    {
        _handle = handle;
        InitThread = (delegate* unmanaged<int*, IntPtr, int, int*, int>)Export("MPI_Init_thread");
        FinalizeMpi = (delegate* unmanaged<int>)Export("MPI_Finalize");
        CommRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        CommSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        Iallreduce = (delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int>)Export(
            "MPI_Iallreduce");
        Iallgatherv = (delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, IntPtr*, int>)Export(
            "MPI_Iallgatherv");
        Ibcast = (delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int>)Export("MPI_Ibcast");
        Isend = (delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int>)Export("MPI_Isend");
        Irecv = (delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int>)Export("MPI_Irecv");
        Test = (delegate* unmanaged<IntPtr*, int*, IntPtr, int>)Export("MPI_Test");
        CommWorld = Export("ompi_mpi_comm_world");
        Float = Export("ompi_mpi_float");
        Double = Export("ompi_mpi_double");
        Int = Export("ompi_mpi_int");
        Byte = Export("ompi_mpi_byte");
        Sum = Export("ompi_mpi_op_sum");
    }

    public delegate* unmanaged<int*, IntPtr, int, int*, int> InitThread { get; }
    public delegate* unmanaged<int> FinalizeMpi { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommRank { get; }
    public delegate* unmanaged<IntPtr, int*, int> CommSize { get; }
    public delegate* unmanaged<void*, void*, int, IntPtr, IntPtr, IntPtr, IntPtr*, int> Iallreduce { get; }
    public delegate* unmanaged<void*, int, IntPtr, void*, int*, int*, IntPtr, IntPtr, IntPtr*, int> Iallgatherv { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, IntPtr, IntPtr*, int> Ibcast { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int> Isend { get; }
    public delegate* unmanaged<void*, int, IntPtr, int, int, IntPtr, IntPtr*, int> Irecv { get; }
    public delegate* unmanaged<IntPtr*, int*, IntPtr, int> Test { get; }
    public IntPtr CommWorld { get; }
    public IntPtr Float { get; }
    public IntPtr Double { get; }
    public IntPtr Int { get; }
    public IntPtr Byte { get; }
    public IntPtr Sum { get; }

    /// <summary>Loads the library (global symbols, as Open MPI's plug-ins need) and initialises MPI.</summary>
    public static MpiLibrary Initialise(string launcher)
    {
        IntPtr handle = DlOpen(FileName, RtldNow | RtldGlobal);
        if (handle == IntPtr.Zero)
            throw new InputException($"{launcher} started this process as one of several, but {FileName} (Open MPI) " +
                                     "cannot be loaded: install Open MPI (Debian: apt-get install openmpi-bin " +
                                     "libopenmpi3)");
        var library = new MpiLibrary(handle);
        int provided;
        library.Check(library.InitThread(null, IntPtr.Zero, ThreadSerialized, &provided), "MPI_Init_thread");
        if (provided < ThreadSerialized)
            throw new InputException($"{FileName}: MPI gives thread level {provided}; cfcd needs " +
                                     "MPI_THREAD_SERIALIZED");
        return library;
    }

    public void Check(int result, string call)
    {
        if (result != 0)
            throw new InvalidOperationException($"{call} failed with MPI error {result}");
    }

    private IntPtr Export(string name) => NativeLibrary.TryGetExport(_handle, name, out var address)
        ? address
        : throw new InputException($"{FileName}: no {name}; cfcd needs Open MPI's libmpi (MPICH is not supported)");

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string file, int mode);
}
