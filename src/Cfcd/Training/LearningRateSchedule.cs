using Cfcd.Config;

namespace Cfcd.Training;

/// <summary>
/// The per-epoch learning rate of docs/method.md section 4 (pycls's cosine policy):
/// lr(e) = 0.5 base (1 + cos(pi e / E)), times a linear warm-up factor from <c>warmup_factor</c> to 1 over the first
/// <c>warmup_epochs</c> (stage 1); stage 2 restarts the cosine without warm-up.
/// </summary>
internal sealed class LearningRateSchedule(double baseLr, int epochs, int warmupEpochs, double warmupFactor)
{
    public static LearningRateSchedule FromConfig(CfcdConfig config) => new(config.Optim.BaseLr, config.Train.Epochs,
        config.Train.Stage == 1 ? config.Optim.WarmupEpochs : 0, config.Optim.WarmupFactor);

    /// <summary>The rate for 0-based epoch <paramref name="epoch"/>.</summary>
    public double At(int epoch)
    {
        double rate = 0.5 * baseLr * (1 + Math.Cos(Math.PI * epoch / epochs));
        if (epoch < warmupEpochs)
        {
            double progress = (double)epoch / warmupEpochs;
            rate *= warmupFactor * (1 - progress) + progress;
        }
        return rate;
    }
}
