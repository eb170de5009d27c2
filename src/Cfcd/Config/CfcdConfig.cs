using Cfcd.Data;

namespace Cfcd.Config;

// The typed configuration of a run. YAML keys are the snake_case forms of these property names
// (`descriptor_dim` for DescriptorDim). Defaults are the paper recipe for ResNet-50 stage 1
// (docs/method.md sections 1 to 4); the files in configs/ spell them out.

public sealed record CfcdConfig
{
    public ModelConfig Model { get; init; } = new();
    public DataConfig Data { get; init; } = new();
    public SamplerConfig Sampler { get; init; } = new();
    public OptimConfig Optim { get; init; } = new();
    public TrainConfig Train { get; init; } = new();
    public LossConfig Loss { get; init; } = new();
}

public enum ChannelOrder { Bgr, Rgb }

public sealed record ModelConfig
{
    /// <summary>ResNet depth: 18, 34, 50, 101 or 152.</summary>
    public int Depth { get; init; } = 50;
    /// <summary>Channels of the stem and first stage (64 for the standard ResNet; smaller for CPU smoke
    /// runs).</summary>
    public int Width { get; init; } = 64;
    public int DescriptorDim { get; init; } = 512;
    public double GemP { get; init; } = 3.0;
    public bool GemLearnable { get; init; }
    public bool ZeroInitLastBn { get; init; } = true;
    /// <summary>Initial weights: cfcd safetensors, a pycls / CFCD `.pyth` or a torchvision state dict. Null:
    /// random.</summary>
    public string? Weights { get; init; }
    /// <summary>Input convention of the weights; pycls / CFCD weights are BGR with these statistics.</summary>
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Bgr;
    public double[] Mean { get; init; } = [0.406, 0.456, 0.485];
    public double[] Std { get; init; } = [0.225, 0.224, 0.229];
}

public sealed record DataConfig
{
    /// <summary>Folder the image paths of the lists are relative to.</summary>
    public string Root { get; init; } = "data/gldv2";
    /// <summary>Training list in the CFCD format: `relative/path.jpg label` per line.</summary>
    public string TrainList { get; init; } = "data/gldv2/train_list.txt";
    public string? ValList { get; init; } = "data/gldv2/val_list.txt";
    /// <summary>Side of the square training crop.</summary>
    public int ImageSize { get; init; } = 512;
    /// <summary>Validation: short side resized to this, then a centre crop of image_size.</summary>
    public int ValResize { get; init; } = 512;
    public double[] CropArea { get; init; } = [0.08, 1.0];
    public double[] CropAspect { get; init; } = [0.75, 4.0 / 3.0];
    public double FlipProbability { get; init; } = 0.5;
    public double LightingSigma { get; init; } = 0.1;
    public int Workers { get; init; } = 8;
    public int Prefetch { get; init; } = 4;
    /// <summary>Fraction of unreadable images per epoch above which the run stops.</summary>
    public double MaxFailureRate { get; init; } = 0.001;
    /// <summary>The most pixels an image may decode into; a larger one is decoded smaller (JPEG) or skipped.</summary>
    public long MaxImagePixels { get; init; } = PixelLimit.DefaultPixels;
    /// <summary>
    /// Decode JPEGs at 1/2, 1/4 or 1/8 size when the crop still covers the output: faster, but it low-pass filters
    /// the crop, which the reference pipeline (full decode, then bilinear) does not. Off: the reference decode.
    /// </summary>
    public bool JpegDctScaling { get; init; }
}

public enum SamplerKind { Random, ClassBalanced, HardNegative }

public sealed record SamplerConfig
{
    public SamplerKind Kind { get; init; } = SamplerKind.Random;
    /// <summary>Stage-1 score file (`path true predicted score` per line) for the hard-negative tuple
    /// sampler.</summary>
    public string? Scores { get; init; }
    /// <summary>Images per tuple: anchor, positive and tuple_size - 2 negatives.</summary>
    public int TupleSize { get; init; } = 8;
    /// <summary>class_balanced: images of each class in a batch (the batch holds batch_size / images_per_class
    /// classes).</summary>
    public int ImagesPerClass { get; init; } = 4;
    /// <summary>hard_negative: where the tuple's other negative slots take their classes from (centers needs
    /// loss.centers.enabled).</summary>
    public NegativeClasses HardNegatives { get; init; } = NegativeClasses.Random;
    /// <summary>hard_negatives: centers: a slot draws among this many classes nearest the anchor class's centre.
    /// </summary>
    public int NearestClasses { get; init; } = 10;
}

/// <summary>The classes of a tuple's negative slots that no stage-1 prediction fills.</summary>
public enum NegativeClasses
{
    /// <summary>Distinct random classes (the paper's sampler).</summary>
    Random,
    /// <summary>Among the classes whose centre is nearest the anchor class's (DC-I-Net's C2HEP), as the centres stood
    /// when the epoch began; random while the anchor class has no centre.</summary>
    Centers,
}

public sealed record OptimConfig
{
    public double BaseLr { get; init; } = 0.005;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; } = true;
    public double WeightDecay { get; init; } = 1e-4;
    public int WarmupEpochs { get; init; } = 5;
    public double WarmupFactor { get; init; } = 0.1;
}

/// <summary>Where training runs (train.device); cuda fails with a clear error where CUDA is absent.</summary>
public enum DeviceKind { Cpu, Cuda }

public sealed record TrainConfig
{
    /// <summary>1: MadaCos only. 2: MadaCos plus the local triplet loss on hard-negative tuples.</summary>
    public int Stage { get; init; } = 1;
    public int Epochs { get; init; } = 50;
    /// <summary>Logical batch: the MadaCos median and the optimiser step cover all of it.</summary>
    public int BatchSize { get; init; } = 128;
    /// <summary>Images per forward pass when the batch does not fit; 0 means the whole batch at once.</summary>
    public int MicroBatch { get; init; }
    /// <summary>Images per forward pass: micro_batch, or the whole batch when that is 0 (read-only: not a key).
    /// </summary>
    public int ForwardBatch => MicroBatch > 0 ? MicroBatch : BatchSize;
    /// <summary>BatchNorm statistics over groups of this many images (16 reproduces the paper's per-GPU statistics); 0:
    /// off.</summary>
    public int GhostBn { get; init; } = 16;
    /// <summary>Stage 2: the stage-1 checkpoint to start from, classifier included.</summary>
    public string? InitFrom { get; init; }
    public int Seed { get; init; } = 1;
    public DeviceKind Device { get; init; } = DeviceKind.Cuda;
    public int LogEvery { get; init; } = 20;
    /// <summary>Besides the last checkpoint, keep every Nth epoch's.</summary>
    public int KeepEvery { get; init; } = 10;
    /// <summary>Also write the last checkpoint every this many steps inside an epoch; 0: at epoch ends only.</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>A data-parallel run: how long a process waits for the slowest one at a collective operation before
    /// it stops, naming the process that did not come (one that died, hangs or was stopped).</summary>
    public double CollectiveTimeoutS { get; init; } = 600;
}

public enum HeadKind { Madacos, Softmax, Cosface, Arcface }

/// <summary>What MadaCos's median, scale and margin are solved over when a batch is split into micro-batches.</summary>
public enum StatisticsScope
{
    /// <summary>The whole logical batch, from a first no-grad pass over its micro-batches (the paper's statistics; one
    /// extra forward).</summary>
    Batch,
    /// <summary>Each micro-batch on its own (cheaper; the median of a smaller sample).</summary>
    MicroBatch,
}

public sealed record LossConfig
{
    public HeadKind Head { get; init; } = HeadKind.Madacos;
    /// <summary>MadaCos: target probability of the median sample.</summary>
    public double Alpha { get; init; } = 0.02;
    /// <summary>MadaCos with train.micro_batch: solve over the whole batch or per micro-batch.</summary>
    public StatisticsScope MadacosStatistics { get; init; } = StatisticsScope.Batch;
    /// <summary>CosFace / ArcFace fixed scale and margin.</summary>
    public double Scale { get; init; } = 30.0;
    public double Margin { get; init; } = 0.15;
    /// <summary>Stage 2: lambda, the weight of the local triplet loss (the released code uses 1.0).</summary>
    public double LocalWeight { get; init; } = 1.0;
    public double LocalMargin { get; init; } = 0.1;
    /// <summary>
    /// The summed triplet loss is divided by batch_size / local_group: the paper summed over each GPU's 16 images and
    /// averaged the 8 GPUs' gradients. 0: no division (one sum over the batch).
    /// </summary>
    public int LocalGroup { get; init; } = 16;
    public double LoweRatio { get; init; } = 0.9;
    /// <summary>Fraction of the positive image's locations, by attention, that may be matched.</summary>
    public double AttentionKeep { get; init; } = 0.5;
    /// <summary>DC-I-Net options, off by default.</summary>
    public OlpConfig Olp { get; init; } = new();
    public HepConfig Hep { get; init; } = new();
    public CentersConfig Centers { get; init; } = new();
}

/// <summary>DC-I-Net's dynamic feature dictionary with the on-line pairing loss (docs/method.md section 6).</summary>
public sealed record OlpConfig
{
    public bool Enabled { get; init; }
    /// <summary>Embeddings the dictionary holds (a FIFO of past global batches).</summary>
    public int QueueSize { get; init; } = 16384;
    /// <summary>The step (0-based, of the run) from which batches enter the dictionary.</summary>
    public int StartStep { get; init; }
    public double Scale { get; init; } = 30.0;
    public double Weight { get; init; } = 1.0;
    /// <summary>How the dictionary stores its entries (float16 and bfloat16 halve its memory).</summary>
    public StorageType Dtype { get; init; } = StorageType.Float32;
}

public enum StorageType { Float32, Float16, Bfloat16 }

/// <summary>Hard-example-priority softmax over a pool of classes (docs/method.md section 6).</summary>
public sealed record HepConfig
{
    public bool Enabled { get; init; }
    /// <summary>Each image's most confusing other classes put into the pool.</summary>
    public int TopK { get; init; } = 20;
    /// <summary>M: random classes fill the pool up to this many.</summary>
    public int PoolSize { get; init; } = 4096;
    /// <summary>What the most confusing classes are nearest to: the classifier's weights or the class centres.
    /// </summary>
    public HardClassSource HardClasses { get; init; } = HardClassSource.Logits;
    /// <summary>MadaCos's scale and margin from the full logits or from the pool's.</summary>
    public PoolStatistics Statistics { get; init; } = PoolStatistics.Full;
}

/// <summary>What chooses an image's most confusing classes for the HEP pool.</summary>
public enum HardClassSource
{
    /// <summary>Its highest cosines to the classifier's weights.</summary>
    Logits,
    /// <summary>Its highest cosines to the class centres (DC-I-Net's C2HEP; needs loss.centers.enabled).</summary>
    Centers,
}

/// <summary>Which logits MadaCos solves its scale and margin from under HEP.</summary>
public enum PoolStatistics
{
    /// <summary>All classes' (B sums over every class): the step's margin does not depend on the pool.</summary>
    Full,
    /// <summary>The pool's only: the margin of the softmax actually computed.</summary>
    Pool,
}

/// <summary>EMA class centres guiding the HEP pool and, optionally, the tuple sampler's negatives.</summary>
public sealed record CentersConfig
{
    public bool Enabled { get; init; }
    /// <summary>g in v_y &lt;- normalise(g v_y + (1 - g) x).</summary>
    public double Momentum { get; init; } = 0.5;
    /// <summary>The centre loss's weight: mean of 1 - cos(x, v_y) over the images whose class has a centre; 0: the
    /// centres only guide HEP or the sampler.</summary>
    public double Weight { get; init; } = 0.1;
}
