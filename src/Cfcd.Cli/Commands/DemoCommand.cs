using System.CommandLine;
using Cfcd.Demo;
using Cfcd.Retrieval;
using Cfcd.Training;

namespace Cfcd.Cli.Commands;

internal static class DemoCommand
{
    public static Command Create(CliConsole console)
    {
        var defaults = new DemoOptions();
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Folder for the demo's data, runs and features.",
            DefaultValueFactory = _ => new DirectoryInfo("runs/demo"),
        };
        var seed = new Option<int>("--seed")
        {
            Description = "Seed of the data, the initialisation and the batches.",
            DefaultValueFactory = _ => defaults.Seed,
        };
        var classes = new Option<int>("--classes")
        {
            Description = "Synthetic training classes.", DefaultValueFactory = _ => defaults.Synthetic.Classes,
        };
        var perClass = new Option<int>("--train-per-class")
        {
            Description = "Synthetic training views per class.",
            DefaultValueFactory = _ => defaults.Synthetic.TrainPerClass,
        };
        var depth = new Option<int>("--depth")
        {
            Description = "ResNet depth.", DefaultValueFactory = _ => defaults.Depth,
        };
        var width = new Option<int>("--width")
        {
            Description = "ResNet stem width (64: the standard network).", DefaultValueFactory = _ => defaults.Width,
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Stage-1 epochs.", DefaultValueFactory = _ => defaults.StageOneEpochs,
        };
        var stageTwoEpochs = new Option<int>("--stage2-epochs")
        {
            Description = "Stage-2 epochs.", DefaultValueFactory = _ => defaults.StageTwoEpochs,
        };
        var dataset = new Option<string>("--dataset") { Description =
            "Score on this revisited data set instead of the synthetic test set (needs --data-root)." }
            .AcceptOnlyFromAmong([.. RevisitedDatasets.Aliases.Keys]);
        var dataRoot = new Option<DirectoryInfo>("--data-root")
        {
            Description = "Folder holding --dataset (<root>/<dataset>/jpg, gnd_<dataset>.pkl).",
        };
        var weights = CommonOptions.Weights(required: false);
        weights.Description = "Evaluate these weights (CFCD .pyth, cfcd .safetensors, ...) instead of training.";
        var command = new Command("demo",
            "Synthesise a small set, train stage 1 and 2 on the CPU, extract, evaluate: mAP before and after training.")
        {
            output, seed, classes, perClass, depth, width, epochs, stageTwoEpochs, dataset, dataRoot, weights,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(dataset) is not null && result.GetResult(dataRoot) is null)
                result.AddError("--dataset needs --data-root DIR");
        });
        CommandAction.Set(command, console, (parse, cancellation) =>
        {
            var options = defaults with
            {
                Seed = parse.GetValue(seed),
                Synthetic = defaults.Synthetic with { Classes = parse.GetValue(classes),
                    TrainPerClass = parse.GetValue(perClass) },
                Depth = parse.GetValue(depth),
                Width = parse.GetValue(width),
                StageOneEpochs = parse.GetValue(epochs),
                StageTwoEpochs = parse.GetValue(stageTwoEpochs),
                EvaluationDataset = parse.GetValue(dataset) ?? defaults.EvaluationDataset,
                EvaluationRoot = parse.GetValue(dataRoot)?.ToString(),
                Weights = parse.GetValue(weights)?.ToString(),
            };
            options.Synthetic.Validate();
            if (!Modeling.ResNetLayout.IsSupported(options.Depth)
                || options.Width is < 1 or > Modeling.NetworkShapes.MaxWidth || options.StageOneEpochs < 1
                    || options.StageTwoEpochs < 1)
                throw new InputException(
                    $"--depth must be one of {string.Join(", ", Modeling.ResNetLayout.SupportedDepths.Order())}; " +
                    "--width in [1, " +
                    $"{Modeling.NetworkShapes.MaxWidth}]; --epochs and --stage2-epochs at least 1");
            string folder = parse.GetValue(output)!.ToString();
            OutputFile.RequireWritableFolder(folder);
            bool terminal = ConsoleProgress.IsTerminal(console.Error);
            using var logging =
                CliLogging.Create(verbose: false, runFolder: null, terminal ? [Trainer.StepLogCategory] : []);
            var result = new DemoPipeline(options, folder, logging)
                .Run(terminal ? new TrainingProgressBar(console.Error) : null, cancellation);
            Print(console.Out, result);
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void Print(TextWriter output, DemoResult result)
    {
        var first = result.Steps[0].Result;
        output.WriteLine($"demo: {first.Dataset}, {first.Queries} queries, {first.Database:N0} database images; mAP " +
                         "(revisited protocol)");
        output.WriteLine($"  {"",-14}{"Easy",8}{"Medium",8}{"Hard",8}");
        foreach (var step in result.Steps)
            output.WriteLine($"  {step.Label,-14}" + string.Concat(Enum.GetValues<Setup>()
                .Select(setup => $"{step.Result.Scores[setup].MeanAveragePrecision,8:F2}")));
        output.WriteLine($"  data        {result.Data}");
        foreach (var run in result.RunFolders)
            output.WriteLine($"  run         {run} (curves.png, metrics.csv, checkpoints/)");
        output.WriteLine($"  features    {result.Features}");
        output.WriteLine($"  retrieval   {result.Picture} (the last model's top 8 for the first queries: green easy, " +
                         "blue hard, grey junk, red negative)");
    }
}
