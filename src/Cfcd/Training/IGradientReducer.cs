using TorchSharp.Modules;

namespace Cfcd.Training;

/// <summary>
/// Combines the gradients of a step's backward passes before the optimiser uses them. Why: a data-parallel run
/// averages every process's gradients here (MPI all-reduce) without the step changing; one process does nothing.
/// A data-parallel run will also want the global batch's statistics (MadaCos's solve over the whole batch); that hook
/// goes beside this one, where <see cref="TrainingStep"/> solves them.
/// </summary>
public interface IGradientReducer
{
    /// <summary>Called once a step, finite or not (so that every process takes part), after the last backward and
    /// before the optimiser step; it changes the gradients of <paramref name="parameters"/> in place (a parameter
    /// without one took no part in the loss).</summary>
    void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters);
}

/// <summary>The gradient reducer of one process. Why: its gradients are already the whole batch's.</summary>
internal sealed class SingleProcessGradients : IGradientReducer
{
    public static SingleProcessGradients Instance { get; } = new();

    private SingleProcessGradients()
    {
    }

    public void Reduce(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
    }
}
