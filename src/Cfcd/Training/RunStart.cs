using Cfcd.Config;
using Cfcd.IO;
using Cfcd.Modeling;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>
/// Set-up and resume: the network's weights from the run folder's newest checkpoint or, for a fresh run, its starting
/// weights; then the optimiser's momentum, the RNG and the position. Why: a resumed run must go on exactly where the
/// stopped one was, and a fresh one start where an uninterrupted run starts.
/// </summary>
/// <param name="writes">Whether this process writes the run folder (rank 0 of a data-parallel run, or alone).</param>
internal sealed class RunStart(CfcdConfig config, RunFolder run, ILogger logger, bool writes = true)
{
    /// <summary>Loads the network's weights; returns the checkpoint resumed, or null for a fresh run.</summary>
    public LoadedCheckpoint? LoadWeights(CfcdNet network, bool requireResume)
    {
        var resumed = new ResumeSearch(run, config, logger).Newest(requireResume);
        if (resumed is null)
        {
            StartingWeights.Load(config, network, logger);
            return null;
        }
        try
        {
            resumed.Weights.LoadInto(network);
            return resumed;
        }
        catch
        {
            resumed.Dispose();
            throw;
        }
    }

    /// <summary>Where the loop starts: the checkpoint's position, momentum and RNG, or a fresh run's start (the
    /// resolved config written into the folder).</summary>
    public TrainingPosition Restore(LoadedCheckpoint? resumed, Sgd optimizer, IReadOnlyList<ILossTerm> terms,
        Device device)
    {
        var position = resumed is null ? StartFresh() : Resume(resumed, optimizer, terms, device);
        Directory.CreateDirectory(run.Checkpoints);
        return position;
    }

    private TrainingPosition StartFresh()
    {
        string yaml = ConfigWriter.ToYaml(config);
        Directory.CreateDirectory(run.Root);
        if (writes)
            AtomicFile.WriteAllText(run.Config, yaml);
        return new TrainingPosition(0, 0, 0, 0, yaml);
    }

    private TrainingPosition Resume(LoadedCheckpoint resumed, Sgd optimizer, IReadOnlyList<ILossTerm> terms,
        Device device)
    {
        optimizer.LoadMomentumBuffers(resumed.Momentum);
        foreach (var term in terms)
        {
            string prefix = term.LossColumn + ".";
            term.Load(resumed.LossState.Where(pair => pair.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(pair => pair.Key[prefix.Length..], pair => pair.Value), device);
        }
        if (resumed.TorchRng is not null)
            set_rng_state(resumed.TorchRng);
        var position = resumed.Position;
        logger.LogInformation("resuming {Run} at epoch {Epoch}, step {Step} ({GlobalStep} steps done)", run.Root,
            position.Epoch + 1, position.Step, position.GlobalStep);
        return position;
    }
}
