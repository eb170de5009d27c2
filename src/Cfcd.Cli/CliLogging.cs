using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Filters;

namespace Cfcd.Cli;

/// <summary>
/// The CLI's choice of log sinks: Serilog to stderr (stdout carries results such as tables), and to
/// `train.log` in the run folder when there is one. The library only sees Microsoft.Extensions.Logging.
/// </summary>
internal static class CliLogging
{
    public const string LogFileName = "train.log";

    /// <param name="quietSources">Log categories kept out of the console (still in the file), e.g. step lines while a
    /// progress bar is drawn.</param>
    public static ILoggerFactory Create(bool verbose, string? runFolder = null, params string[] quietSources)
    {
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information)
            .WriteTo.Logger(console => console
                .Filter.ByExcluding(logEvent => quietSources.Any(source => Matching.FromSource(source)(logEvent)))
                .WriteTo.Console(outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}{Exception}",
                    standardErrorFromLevel: LogEventLevel.Verbose));
        if (runFolder != null)
        {
            Directory.CreateDirectory(runFolder);
            configuration = configuration.WriteTo.File(Path.Combine(runFolder, LogFileName),
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} {Level:u3} {SourceContext}: " +
                                "{Message:lj}{NewLine}{Exception}");
        }
        return new SerilogLoggerFactory(configuration.CreateLogger(), dispose: true);
    }

    /// <summary>The log of a data-parallel run's other processes: warnings and errors on stderr, marked with the
    /// rank; rank 0 logs the run.</summary>
    public static ILoggerFactory ForOtherRank(int rank) => new SerilogLoggerFactory(new LoggerConfiguration()
        .MinimumLevel.Is(LogEventLevel.Warning)
        .WriteTo.Console(outputTemplate: $"{{Timestamp:HH:mm:ss}} {{Level:u3}} rank {rank}: {{Message:lj}}" +
                                         "{NewLine}{Exception}", standardErrorFromLevel: LogEventLevel.Verbose)
        .CreateLogger(), dispose: true);
}
