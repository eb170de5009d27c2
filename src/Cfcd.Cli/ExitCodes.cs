namespace Cfcd.Cli;

internal static class ExitCodes
{
    public const int Success = 0;
    /// <summary>An unexpected failure: a bug or an environment problem; the log has the details.</summary>
    public const int Failure = 1;
    /// <summary>Bad input: options, config, files. One line on stderr says what and where.</summary>
    public const int BadInput = 2;
    /// <summary>Stopped by Ctrl+C after finishing cleanly.</summary>
    public const int Cancelled = 130;
}
