using System.CommandLine;
using Cfcd.Config;
using Cfcd.Distributed;
using Cfcd.Native;
using Cfcd.Training;

namespace Cfcd.Cli.Commands;

internal static class TrainCommand
{
    public static Command Create(CliConsole console, Func<ProcessLaunch> launchOf)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Run folder: config.yaml, train.log, metrics.csv, checkpoints/ (default runs/<config name>).",
        };
        var device = CommonOptions.Device();
        var resume = new Option<bool>("--resume")
        {
            Description =
            "Require a checkpoint to continue from (a run folder holding one of the same config resumes anyway).",
        };
        var dryRun = new Option<bool>("--dry-run")
        {
            Description = "Validate the config, print it resolved (defaults and --set applied) and exit.",
        };
        var command =
            new Command("train", "Train stage 1 (MadaCos) or stage 2 (MadaCos + local triplet) from a config.")
        {
            config, set, output, device, resume, dryRun,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var resolved = CommonOptions.LoadConfig(parse, config, set);
            if (parse.GetValue(device) is string deviceName)
                resolved = resolved with
                {
                    Train = resolved.Train with { Device = deviceName == "cuda" ? DeviceKind.Cuda : DeviceKind.Cpu },
                };
            if (parse.GetValue(dryRun))
            {
                console.Out.Write(ConfigWriter.ToYaml(resolved));
                return Task.FromResult(ExitCodes.Success);
            }
            var launch = launchOf();
            string setting = parse.GetValue(device) is null ? "train.device" : "--device";
            var computeDevice = ProcessGroups.DeviceOf(launch,
                ComputeDevice.Resolve(resolved.Train.Device.ToString().ToLowerInvariant(), setting));
            string runFolder = parse.GetValue(output)?.ToString()
                ?? Path.Combine("runs", Path.GetFileNameWithoutExtension(parse.GetValue(config)!.Name));
            OutputFile.RequireWritableFolder(runFolder);
            using var group = ProcessGroups.ForLaunch(launch, TimeSpan.FromSeconds(resolved.Train.CollectiveTimeoutS));
            var gradients = ProcessGroups.GradientsFor(group, launch, computeDevice);
            using var gradientsInUse = gradients as IDisposable;
            bool terminal = group.Rank == 0 && ConsoleProgress.IsTerminal(console.Error);
            using var logging = Logging(group.Rank, runFolder, terminal);
            var folder = new RunFolder(runFolder);
            var trainer = new Trainer(resolved, folder, computeDevice, logging, group, gradients);
            var summary = trainer.Run(parse.GetValue(resume), terminal ? new TrainingProgressBar(console.Error) : null,
                cancellation);
            if (group.Rank == 0)
                Print(console, resolved.Train.Stage, summary, folder);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    /// <summary>Rank 0 (or a process alone) logs the run into its folder; the other ranks log warnings only.</summary>
    private static Microsoft.Extensions.Logging.ILoggerFactory Logging(int rank, string runFolder, bool terminal) =>
        rank == 0
            ? CliLogging.Create(verbose: false, runFolder, terminal ? [Trainer.StepLogCategory] : [])
            : CliLogging.ForOtherRank(rank);

    private static void Print(CliConsole console, int stage, TrainingSummary summary, RunFolder folder)
    {
        string validation = summary.Validation is { } accuracy
            ? $"; validation top-1 {accuracy.Top1:F2}%, top-5 {accuracy.Top5:F2}%" : "";
        console.Out.WriteLine($"train: stage {stage} done, {summary.Epochs} epochs, {summary.Steps} steps{validation}");
        console.Out.WriteLine($"  run folder  {summary.RunFolder}");
        console.Out.WriteLine($"  checkpoint  {summary.LastCheckpoint}");
        console.Out.WriteLine($"  curves      {folder.Curves}, {folder.Metrics}, {folder.TensorBoard}/");
    }
}
