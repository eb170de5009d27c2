using System.CommandLine;

namespace Cfcd.Cli.Commands;

internal static class ImportWeightsCommand
{
    public static Command Create(CliConsole console)
    {
        var from = new Option<FileInfo>("--from") { Description = "A CFCD .pyth, pycls ImageNet or torchvision ResNet checkpoint (PyTorch zip format).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The .safetensors file to write.", Required = true };
        var command = new Command("import-weights", "Convert a PyTorch checkpoint to cfcd safetensors, mapping names and recording channel order and statistics.")
        {
            from, output,
        };
        CommandAction.Set(command, console, _ => CommandAction.NotAvailable(console, command.Name, "weight import"));
        return command;
    }
}
