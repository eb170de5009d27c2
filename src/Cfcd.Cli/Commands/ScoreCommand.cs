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
        var output = new Option<FileInfo>("--out") { Description = "Score file to write: `path true predicted score` per line.", Required = true };
        var device = CommonOptions.Device();
        var command = new Command("score", "Run a stage-1 model over the training list (eval transforms) and write the predictions the hard-negative tuple sampler reads.")
        {
            config, set, weights, output, device,
        };
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var resolved = CommonOptions.LoadConfig(parse, config, set);
            string weightsPath = parse.GetValue(weights)!.ToString();
            string outputPath = parse.GetValue(output)!.ToString();
            var computeDevice = ComputeDevice.Resolve(parse.GetValue(device));
            var dataset = ImageDataset.Load(resolved.Data.TrainList, resolved.Data.Root);

            using var networkWeights = NetworkWeights.Load(weightsPath);
            var spec = networkWeights.CompleteSpec(weightsPath);
            if (spec.Classes != dataset.Classes)
                throw new InputException($"{weightsPath}: scoring needs the stage-1 classifier for the {dataset.Classes} classes of {resolved.Data.TrainList}; " +
                                         $"the weights have {(spec.Classes == 0 ? "none" : $"{spec.Classes}")}");
            using var network = new CfcdNet(spec);
            networkWeights.LoadInto(network, weightsPath);
            network.to(computeDevice);
            console.Error.WriteLine($"score: {dataset.Samples.Count:N0} images of {resolved.Data.TrainList}, {spec.Classes} classes, " +
                                    $"short side {resolved.Data.ValResize}, centre crop {resolved.Data.ImageSize}, {networkWeights.Convention}");

            using var logging = CliLogging.Create(verbose: false);
            var loading = new LoaderOptions(resolved.Data.Workers, resolved.Data.Prefetch, resolved.Data.MaxFailureRate);
            var predictor = new ClassPredictor(network, computeDevice, loading, logging.CreateLogger<ClassPredictor>());
            var transform = new EvalTransform(resolved.Data.ValResize, resolved.Data.ImageSize, networkWeights.Convention);
            int batch = resolved.Train.MicroBatch > 0 ? resolved.Train.MicroBatch : resolved.Train.BatchSize;
            int written = 0, correct = 0;
            var predictions = predictor.Predict(dataset, transform, batch, topK: 1, cancellation, new ConsoleProgress(console.Error, "score", dataset.Samples.Count))
                .Select(prediction =>
                {
                    written++;
                    correct += prediction.TopClasses[0] == dataset.Samples[prediction.SampleIndex].Label ? 1 : 0;
                    return (prediction.SampleIndex, prediction.TopClasses[0], prediction.TopCosine);
                });
            StageOneScores.Write(outputPath, dataset, predictions);
            string skipped = predictor.LastUnreadable > 0 ? $"; {predictor.LastUnreadable} unreadable images skipped (the sampler treats them as unscored)" : "";
            console.Out.WriteLine($"score: wrote {written:N0} predictions to {outputPath}, top-1 {100.0 * correct / Math.Max(written, 1):F2}% on the training list{skipped}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
