using System.Globalization;
using System.Text.Json;
using Cfcd.IO;
using Cfcd.Modeling;
using static TorchSharp.torch;

namespace Cfcd.Training;

/// <summary>Where a run stands: the next epoch and step to run, and how many metrics rows belong to the steps
/// done.</summary>
/// <param name="Epoch">0-based epoch in progress (or next, when <paramref name="Step"/> is 0).</param>
/// <param name="Step">Steps of that epoch already done.</param>
/// <param name="GlobalStep">Optimiser steps done since the start of the run.</param>
/// <param name="MetricsRows">Data rows of metrics.csv written up to this point; a resumed run cuts the file back to
/// them.</param>
/// <param name="Config">The run's resolved config (YAML).</param>
public sealed record TrainingPosition(int Epoch, int Step, long GlobalStep, int MetricsRows, string Config);

/// <summary>A training checkpoint read back: the network's weights, the optimiser's momentum, the RNG and the
/// position.</summary>
/// <param name="lossState">What the extra loss terms keep across steps, by "&lt;term's column&gt;.&lt;name&gt;".
/// </param>
internal sealed class LoadedCheckpoint(string path, NetworkWeights weights, Dictionary<string, Tensor> momentum,
    Tensor? torchRng, TrainingPosition position, Dictionary<string, Tensor> lossState) : IDisposable
{
    public IReadOnlyDictionary<string, Tensor> LossState { get; } = lossState;

    public string Path { get; } = path;

    public NetworkWeights Weights { get; } = weights;

    public IReadOnlyDictionary<string, Tensor> Momentum { get; } = momentum;

    public Tensor? TorchRng { get; } = torchRng;

    public TrainingPosition Position { get; } = position;

    public void Dispose()
    {
        Weights.Dispose();
        foreach (var buffer in momentum.Values.Concat(lossState.Values))
            buffer.Dispose();
        TorchRng?.Dispose();
    }
}

/// <summary>
/// Training checkpoints: cfcd safetensors weights (so any --weights option takes them) plus the optimiser's momentum
/// buffers and libtorch's RNG state under <c>train_state.</c>, and the position and resolved config in the metadata.
/// Written atomically (a temporary file, then a rename), so a file that exists is complete.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string Extension = ".ckpt";
    private const string MomentumPrefix = NetworkWeights.TrainingStatePrefix + "momentum.";
    private const string TorchRngName = NetworkWeights.TrainingStatePrefix + "torch_rng";
    private const string LossStatePrefix = NetworkWeights.TrainingStatePrefix + "loss.";
    private const string PositionKey = "train_state";

    /// <param name="lossState">What the extra loss terms keep across steps (see <see cref="LoadedCheckpoint"/>).
    /// </param>
    public static void Write(string path, CfcdNet network, InputConvention convention, Sgd optimizer,
        TrainingPosition position, IReadOnlyDictionary<string, Tensor>? lossState = null)
    {
        using var weights = NetworkWeights.FromNetwork(network, convention);
        using var rng = get_rng_state();
        var state = optimizer.MomentumBuffers.ToDictionary(pair => MomentumPrefix + pair.Key, pair => pair.Value);
        state[TorchRngName] = rng;
        foreach (var (name, tensor) in lossState ?? new Dictionary<string, Tensor>())
            state[LossStatePrefix + name] = tensor;
        var metadata = new Dictionary<string, string> { [PositionKey] = JsonSerializer.Serialize(position) };
        weights.Save(path, state, metadata);
    }

    public static LoadedCheckpoint Read(string path)
    {
        var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue(PositionKey, out var json))
        {
            foreach (var tensor in file.Tensors.Values)
                tensor.Dispose();
            throw new InputException($"{path}: a weights file, not a training checkpoint (no {PositionKey} metadata)");
        }
        TrainingPosition position;
        try
        {
            position = JsonSerializer.Deserialize<TrainingPosition>(json) ?? throw new JsonException("null");
        }
        catch (JsonException error)
        {
            throw new InputException($"{path}: the checkpoint's {PositionKey} metadata is malformed ({error.Message})",
                error);
        }
        var weights = NetworkWeights.FromSafeTensors(path, file);
        var momentum = file.Tensors.Where(pair => pair.Key.StartsWith(MomentumPrefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key[MomentumPrefix.Length..], pair => pair.Value);
        var lossState = file.Tensors.Where(pair => pair.Key.StartsWith(LossStatePrefix, StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key[LossStatePrefix.Length..], pair => pair.Value);
        return new LoadedCheckpoint(path, weights, momentum, file.Tensors.GetValueOrDefault(TorchRngName), position,
            lossState);
    }

    /// <summary>The position a checkpoint file records, read from its header only; null if it is not a readable
    /// checkpoint.</summary>
    public static TrainingPosition? Peek(string path)
    {
        try
        {
            var metadata = SafeTensors.ReadMetadata(path);
            return metadata.TryGetValue(PositionKey, out var json) ? JsonSerializer.Deserialize<TrainingPosition>(json)
                : null;
        }
        catch (Exception error) when (error is InputException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The name of the checkpoint kept for a finished epoch (1-based in the name, as people count
    /// epochs).</summary>
    public static string EpochFileName(int finishedEpochs) =>
        string.Create(CultureInfo.InvariantCulture, $"epoch_{finishedEpochs:D4}{Extension}");
}
