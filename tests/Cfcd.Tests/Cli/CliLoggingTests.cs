using Cfcd.Cli;
using Microsoft.Extensions.Logging;

namespace Cfcd.Tests.Cli;

public class CliLoggingTests
{
    [Fact]
    public void LibraryLogsReachTheRunFolderLog()
    {
        string runFolder = Path.Combine(TestPaths.NewTempFolder(), "run");
        using (var factory = CliLogging.Create(verbose: false, runFolder))
        {
            var logger = factory.CreateLogger("Cfcd.Training.Trainer");
            logger.LogInformation("epoch {Epoch} done", 3);
            logger.LogDebug("hidden at the information level");
        }
        string log = File.ReadAllText(Path.Combine(runFolder, CliLogging.LogFileName));
        Assert.Contains("INF Cfcd.Training.Trainer: epoch 3 done", log);
        Assert.DoesNotContain("hidden", log);
    }
}
