using System.CommandLine;
using Cfcd.Native;
using Microsoft.Extensions.Logging;

namespace Cfcd.Cli.Commands;

internal static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var verbose = new Option<bool>("--verbose") { Description = "Also log how the native libraries were loaded." };
        var command = new Command("info",
            "Print versions, device, threads and native library paths, and run one tensor operation.")
        {
            verbose,
        };
        CommandAction.Set(command, console, parse =>
        {
            using var logging = CliLogging.Create(parse.GetValue(verbose));
            var report = TorchRuntime.Describe(logging.CreateLogger("cfcd.info"));
            var text = console.Out;
            text.WriteLine($"cfcd        {report.CfcdVersion}");
            text.WriteLine($"TorchSharp  {report.TorchSharpVersion}");
            text.WriteLine($"libtorch    {report.LibTorchVersion}");
            text.WriteLine($"threads     {report.CpuThreads} torch threads, {report.LogicalCores} logical cores");
            string cuda = report.CudaAvailable ? $"available, {report.CudaDevices} device(s)" : "not available";
            text.WriteLine($"cuda        {cuda}");
            text.WriteLine($"tensor      full(2,3,1.5) @ full(3,2,4/3) = {report.TensorCheck}");
            var kernels = CpuKernelSelection.Configure();
            text.WriteLine($"cpu         {CpuIdentity.ModelName()}");
            text.WriteLine($"kernels     {kernels.Kernels.Name()} ({kernels.Source}): {kernels.Reason}");
            text.WriteLine($"jpeg        {Cfcd.Data.ImageReader.JpegCropDecoder}");
            foreach (string library in report.NativeLibraries)
                text.WriteLine($"native      {library}");
            return ExitCodes.Success;
        });
        return command;
    }
}
