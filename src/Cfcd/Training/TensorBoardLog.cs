using TorchSharp;
using TorchSharp.Modules;

namespace Cfcd.Training;

/// <summary>The metrics rows as TensorBoard scalars (TorchSharp's SummaryWriter), tagged <c>phase/column</c>.</summary>
internal sealed class TensorBoardLog(string folder)
{
    private readonly SummaryWriter _writer = torch.utils.tensorboard.SummaryWriter(folder);

    public void Append(MetricsRow row)
    {
        // TensorBoard reads wall time as seconds since 1970; SummaryWriter's default is .NET ticks.
        long wallTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (column, value) in row.Values)
            _writer.add_scalar($"{row.Phase}/{column}", (float)value, checked((int)row.Step), wallTime);
    }
}
