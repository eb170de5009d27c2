using System.CommandLine;
using Cfcd.Modeling;

namespace Cfcd.Cli.Commands;

internal static class ImportWeightsCommand
{
    public static Command Create(CliConsole console)
    {
        var from = new Option<FileInfo>("--from")
        {
            Description =
            "A CFCD .pyth, pycls ImageNet or torchvision ResNet checkpoint (PyTorch zip or legacy format).",
            Required = true,
        };
        var output = new Option<FileInfo>("--out") { Description = "The .safetensors file to write.", Required = true };
        var command = new Command("import-weights",
            "Convert a PyTorch checkpoint to cfcd safetensors, mapping names and recording channel order and " +
            "statistics.")
        {
            from, output,
        };
        CommandAction.Set(command, console, parse =>
        {
            string source = parse.GetValue(from)!.ToString();
            string target = parse.GetValue(output)!.ToString();
            OutputFile.RequireWritable(target);
            using var weights = NetworkWeights.Load(source);
            weights.Save(target);
            console.Out.WriteLine(weights.Describe());
            console.Out.WriteLine($"wrote {weights.Tensors.Count} tensors to {target}");
            return ExitCodes.Success;
        });
        return command;
    }
}
