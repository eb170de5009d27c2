using System.CommandLine;

namespace Cfcd.Cli.Commands;

/// <summary>Runs a verb's body and turns its failures into one line on stderr and an exit code.</summary>
internal static class CommandAction
{
    private const int MessageLimit = 1000;

    public static void Set(Command command, CliConsole console, Func<ParseResult, CancellationToken, Task<int>> body)
    {
        command.SetAction(async (parse, cancellation) =>
        {
            try
            {
                return await body(parse, cancellation);
            }
            catch (InputException error)
            {
                // Readers quote what they found in files; one line of printable text, however hostile the file.
                await console.Error.WriteLineAsync(
                    $"cfcd {command.Name}: {InputText.Quote(error.Message, MessageLimit)}");
                return ExitCodes.BadInput;
            }
            catch (Distributed.RankLostException lost)
            {
                await console.Error.WriteLineAsync($"cfcd {command.Name}: {lost.Message}");
                return ExitCodes.Failure;
            }
            catch (Training.TrainingDivergedException diverged)
            {
                await console.Error.WriteLineAsync($"cfcd {command.Name}: {diverged.Message}");
                return ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                await console.Error.WriteLineAsync($"cfcd {command.Name}: cancelled");
                return ExitCodes.Cancelled;
            }
        });
    }

    public static void Set(Command command, CliConsole console, Func<ParseResult, int> body) =>
        Set(command, console, (parse, _) => Task.FromResult(body(parse)));
}
