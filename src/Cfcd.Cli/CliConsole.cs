namespace Cfcd.Cli;

/// <summary>Where a command writes: results to <see cref="Out"/>, messages and errors to <see cref="Error"/>.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error);
