using System.CommandLine;
using Cfcd.Data;
using Cfcd.Modeling;
using Cfcd.Native;
using Cfcd.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Cfcd.Cli.Commands;

internal static class ScoreCommand
{
    public static Command Create(CliConsole console)
    {
        var config = CommonOptions.Config();
        var set = CommonOptions.Set();
        var weights = CommonOptions.Weights();
        var output = new Option<FileInfo>("--out")
        {
            Description = "Score file to write: `path true predicted score` per line.", Required = true,
        };
        var device = CommonOptions.Device();
        var command = new Command("score",
            "Run a stage-1 model over the training list (eval transforms) and write the predictions the " +
            "hard-negative tuple sampler reads.")
        {
            config, set, weights, output, device,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var resolved = CommonOptions.LoadConfig(parse, config, set);
            string weightsPath = parse.GetValue(weights)!.ToString();
            string outputPath = parse.GetValue(output)!.ToString();
            OutputFile.RequireWritable(outputPath);
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device), "--device");
            var dataset = ImageDataset.Load(resolved.Data.TrainList, resolved.Data.Root);

            using var model = LoadedNetwork.Load(weightsPath);
            model.Network.to(computeDevice);
            console.Error.WriteLine($"score: {dataset.Samples.Count:N0} images of {resolved.Data.TrainList}, " +
                                    $"{model.Network.Spec.Classes} classes, short side {resolved.Data.ValResize}, " +
                                    $"centre crop {resolved.Data.ImageSize}, {model.Convention}");
            using var logging = CliLogging.Create(verbose: false);
            var result = StageOneScoring.Write(model, resolved, dataset, outputPath, computeDevice,
                logging.CreateLogger("cfcd.score"), new ConsoleProgress(console.Error, "score", dataset.Samples.Count),
                cancellation);
            string skipped = result.Unreadable > 0
                ? $"; {result.Unreadable} unreadable images skipped (the sampler treats them as unscored)" : "";
            console.Out.WriteLine($"score: wrote {result.Written:N0} predictions to {outputPath}, top-1 " +
                                  $"{result.Top1:F2}% on the training list{skipped}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
