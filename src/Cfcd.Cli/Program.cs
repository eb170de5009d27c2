using System.Runtime.InteropServices;
using Cfcd.Cli;
using Cfcd.Distributed;
using Cfcd.Native;

MallocTuning.Apply();
using var gcStress = GcStress.FromEnvironment();
try
{
    if (CpuKernelSelection.Configure() is { Fresh: true, Kernels: not CpuKernels.OneDnn } fallback)
        Console.Error.WriteLine($"cfcd: using {fallback.Kernels.Name()} CPU kernels: {fallback.Reason}");
}
catch (Cfcd.InputException error)
{
    Console.Error.WriteLine($"cfcd: {error.Message}");
    return ExitCodes.BadInput;
}

// Ctrl+C (or SIGTERM) cancels the verb, which finishes what it must (training: the current step and a checkpoint);
// a second one ends the process at once.
using var stop = new CancellationTokenSource();
void OnSignal(PosixSignalContext context)
{
    if (stop.IsCancellationRequested)
        return;
    context.Cancel = true;
    Console.Error.WriteLine("cfcd: stopping after the current step (press Ctrl+C again to quit at once)");
    stop.Cancel();
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
int exitCode = await CfcdCli.RunAsync(args, Console.Out, Console.Error, ProcessLaunch.FromEnvironment, stop.Token);
if (gcStress is not null)
    Console.Error.WriteLine($"cfcd: {GcStress.Variable}=1: {gcStress.Collections} collections forced");
return exitCode;
