using Cfcd.Data;

namespace Cfcd.Config;

/// <summary>Checks the values of a bound config; each problem names its dotted key.</summary>
internal static class ConfigValidator
{
    // Each worker is a thread with its decode buffers and each prefetched batch is held in memory: beyond these a
    // value is a typo that would exhaust memory, not a setting.
    private const int MaxWorkers = 256;
    private const int MaxPrefetch = 64;

    public static IEnumerable<(string Key, string Problem)> Problems(CfcdConfig config)
    {
        var model = config.Model;
        if (!Modeling.ResNetLayout.IsSupported(model.Depth))
        {
            string depths = string.Join(", ", Modeling.ResNetLayout.SupportedDepths.Order());
            yield return ("model.depth", $"must be one of {depths}, got {model.Depth}");
        }
        if (model.Width is < 1 or > Modeling.NetworkShapes.MaxWidth)
            yield return ("model.width", $"must be in [1, {Modeling.NetworkShapes.MaxWidth}], got {model.Width}");
        if (model.DescriptorDim < 1)
            yield return ("model.descriptor_dim", $"must be at least 1, got {model.DescriptorDim}");
        if (!(model.GemP > 0))
            yield return ("model.gem_p", $"must be positive, got {model.GemP}");
        if (model.Mean.Length != 3)
            yield return ("model.mean", $"needs 3 values (one per channel), got {model.Mean.Length}");
        if (model.Std.Length != 3 || model.Std.Any(value => !(value > 0)))
            yield return ("model.std", "needs 3 positive values (one per channel)");

        var data = config.Data;
        if (data.ImageSize < 8)
            yield return ("data.image_size", $"must be at least 8, got {data.ImageSize}");
        if (data.ValResize < data.ImageSize)
            yield return ("data.val_resize",
                $"must be at least data.image_size ({data.ImageSize}), got {data.ValResize}");
        if (!IsRange(data.CropArea) || data.CropArea[0] <= 0 || data.CropArea[1] > 1)
            yield return ("data.crop_area", "must be [min, max] with 0 < min <= max <= 1");
        if (!IsRange(data.CropAspect) || data.CropAspect[0] <= 0)
            yield return ("data.crop_aspect", "must be [min, max] with 0 < min <= max");
        if (!IsProbability(data.FlipProbability))
            yield return ("data.flip_probability", $"must be in [0, 1], got {data.FlipProbability}");
        if (!(data.LightingSigma >= 0))
            yield return ("data.lighting_sigma", $"must be at least 0, got {data.LightingSigma}");
        if (data.Workers is < 1 or > MaxWorkers)
            yield return ("data.workers", $"must be in [1, {MaxWorkers}], got {data.Workers}");
        if (data.Prefetch is < 1 or > MaxPrefetch)
            yield return ("data.prefetch", $"must be in [1, {MaxPrefetch}], got {data.Prefetch}");
        if (!IsProbability(data.MaxFailureRate))
            yield return ("data.max_failure_rate", $"must be in [0, 1], got {data.MaxFailureRate}");
        if (!PixelLimit.IsSettable(data.MaxImagePixels))
            yield return ("data.max_image_pixels",
                $"must be in [1, {PixelLimit.MostPixels}], got {data.MaxImagePixels}");

        var optim = config.Optim;
        if (!(optim.BaseLr > 0))
            yield return ("optim.base_lr", $"must be positive, got {optim.BaseLr}");
        if (!(optim.Momentum >= 0 && optim.Momentum < 1))
            yield return ("optim.momentum", $"must be in [0, 1), got {optim.Momentum}");
        if (optim.Nesterov && optim.Momentum == 0)
            yield return ("optim.nesterov", "needs a positive optim.momentum");
        if (!(optim.WeightDecay >= 0))
            yield return ("optim.weight_decay", $"must be at least 0, got {optim.WeightDecay}");
        if (optim.WarmupEpochs < 0)
            yield return ("optim.warmup_epochs", $"must be at least 0, got {optim.WarmupEpochs}");
        if (!(optim.WarmupFactor > 0 && optim.WarmupFactor <= 1))
            yield return ("optim.warmup_factor", $"must be in (0, 1], got {optim.WarmupFactor}");

        var train = config.Train;
        if (train.Stage is not (1 or 2))
            yield return ("train.stage", $"must be 1 or 2, got {train.Stage}");
        if (train.Epochs < 1)
            yield return ("train.epochs", $"must be at least 1, got {train.Epochs}");
        if (train.BatchSize < 1)
            yield return ("train.batch_size", $"must be at least 1, got {train.BatchSize}");
        if (train.MicroBatch < 0 || (train.MicroBatch > 0 && train.BatchSize % train.MicroBatch != 0))
            yield return ("train.micro_batch",
                $"must be 0 or divide train.batch_size ({train.BatchSize}), got {train.MicroBatch}");
        int forwardBatch = train.ForwardBatch;
        if (train.GhostBn < 0 || (train.GhostBn > 0 && forwardBatch % train.GhostBn != 0))
            yield return ("train.ghost_bn",
                $"must be 0 or divide the forward batch ({forwardBatch}), got {train.GhostBn}");
        // A tuple_size below 3 is reported below; dividing by it here would fail first.
        bool wholeTuples = config.Sampler.TupleSize >= 3;
        if (train.Stage == 2 && wholeTuples && train.BatchSize % config.Sampler.TupleSize != 0)
            yield return ("train.batch_size",
                $"stage 2 needs whole tuples: a multiple of sampler.tuple_size ({config.Sampler.TupleSize}), got " +
                $"{train.BatchSize}");
        if (train.Stage == 2 && wholeTuples && train.MicroBatch > 0 && train.MicroBatch % config.Sampler.TupleSize != 0)
            yield return ("train.micro_batch",
                "stage 2 needs whole tuples in each micro-batch: a multiple of sampler.tuple_size " +
                $"({config.Sampler.TupleSize}), got {train.MicroBatch}");
        if (train.Stage == 2 && config.Sampler.Kind != SamplerKind.HardNegative)
            yield return ("sampler.kind",
                "stage 2 trains on tuples: use hard_negative, got " +
                $"{ConfigNames.ToSnakeCase(config.Sampler.Kind.ToString())}");
        if (train.Stage == 2 && string.IsNullOrEmpty(train.InitFrom))
            yield return ("train.init_from", "stage 2 starts from a stage-1 checkpoint (classifier included): set it");
        if (!(train.CollectiveTimeoutS > 0))
            yield return ("train.collective_timeout_s", $"must be more than 0 seconds, got {train.CollectiveTimeoutS}");
        if (train.CheckpointEvery < 0)
            yield return ("train.checkpoint_every", $"must be 0 or more, got {train.CheckpointEvery}");
        if (train.LogEvery < 1)
            yield return ("train.log_every", $"must be at least 1, got {train.LogEvery}");
        if (train.KeepEvery < 1)
            yield return ("train.keep_every", $"must be at least 1, got {train.KeepEvery}");

        if (config.Sampler.TupleSize < 3)
            yield return ("sampler.tuple_size",
                $"needs an anchor, a positive and at least one negative (3 or more), got {config.Sampler.TupleSize}");
        if (config.Sampler.ImagesPerClass < 1 || (config.Sampler.Kind == SamplerKind.ClassBalanced
            && train.BatchSize % config.Sampler.ImagesPerClass != 0))
            yield return ("sampler.images_per_class",
                $"must be at least 1 and divide train.batch_size ({train.BatchSize}), got " +
                $"{config.Sampler.ImagesPerClass}");

        var loss = config.Loss;
        if (!(loss.Alpha > 0 && loss.Alpha < 1))
            yield return ("loss.alpha", $"must be in (0, 1), got {loss.Alpha}");
        if (!(loss.Scale > 0))
            yield return ("loss.scale", $"must be positive, got {loss.Scale}");
        if (!(loss.Margin >= 0))
            yield return ("loss.margin", $"must be at least 0, got {loss.Margin}");
        if (!(loss.LocalWeight >= 0))
            yield return ("loss.local_weight", $"must be at least 0, got {loss.LocalWeight}");
        if (loss.LocalGroup < 0 || (train.Stage == 2 && loss.LocalGroup > 0 && train.BatchSize % loss.LocalGroup != 0))
            yield return ("loss.local_group",
                $"must be 0 or divide train.batch_size ({train.BatchSize}), got {loss.LocalGroup}");
        if (!(loss.LoweRatio > 0 && loss.LoweRatio <= 1))
            yield return ("loss.lowe_ratio", $"must be in (0, 1], got {loss.LoweRatio}");
        if (!(loss.AttentionKeep > 0 && loss.AttentionKeep <= 1))
            yield return ("loss.attention_keep", $"must be in (0, 1], got {loss.AttentionKeep}");
        if (loss.Olp.QueueSize < 1)
            yield return ("loss.olp.queue_size", $"must be at least 1, got {loss.Olp.QueueSize}");
        if (loss.Olp.StartStep < 0)
            yield return ("loss.olp.start_step", $"must be 0 or more, got {loss.Olp.StartStep}");
        if (!(loss.Olp.Scale > 0))
            yield return ("loss.olp.scale", $"must be more than 0, got {loss.Olp.Scale}");
        if (!(loss.Olp.Weight >= 0))
            yield return ("loss.olp.weight", $"must be 0 or more, got {loss.Olp.Weight}");
        if (loss.Hep.TopK < 0)
            yield return ("loss.hep.top_k", $"must be at least 0, got {loss.Hep.TopK}");
        if (loss.Hep.PoolSize < 1)
            yield return ("loss.hep.pool_size", $"must be at least 1, got {loss.Hep.PoolSize}");
        if (!(loss.Centers.Momentum >= 0 && loss.Centers.Momentum < 1))
            yield return ("loss.centers.momentum", $"must be in [0, 1), got {loss.Centers.Momentum}");
        if (!(loss.Centers.Weight >= 0))
            yield return ("loss.centers.weight", $"must be 0 or more, got {loss.Centers.Weight}");
        const string needsCenters = "is centers, which needs the class centres: set loss.centers.enabled";
        if (loss.Hep.Enabled && loss.Hep.HardClasses == HardClassSource.Centers && !loss.Centers.Enabled)
            yield return ("loss.hep.hard_classes", needsCenters);
        if (config.Sampler.HardNegatives == NegativeClasses.Centers && !loss.Centers.Enabled)
            yield return ("sampler.hard_negatives", needsCenters);
        if (config.Sampler.HardNegatives == NegativeClasses.Centers
            && config.Sampler.Kind != SamplerKind.HardNegative)
            yield return ("sampler.hard_negatives",
                "is centers, which chooses tuple negatives: set sampler.kind to hard_negative");
        if (config.Sampler.NearestClasses < 1)
            yield return ("sampler.nearest_classes", $"must be at least 1, got {config.Sampler.NearestClasses}");
    }

    private static bool IsRange(double[] range) => range.Length == 2 && range[0] <= range[1];

    private static bool IsProbability(double value) => value >= 0 && value <= 1;
}
