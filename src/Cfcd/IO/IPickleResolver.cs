namespace Cfcd.IO;

/// <summary>
/// What a <see cref="PickleReader"/> asks when a pickle names Python objects. An implementation builds only the
/// objects it knows and throws <see cref="InvalidDataException"/> (the reader adds file and offset) for the rest:
/// nothing is ever imported or executed.
/// </summary>
internal interface IPickleResolver
{
    /// <summary>A token standing for <c>module.name</c> (GLOBAL, STACK_GLOBAL).</summary>
    object ResolveGlobal(string module, string name);

    /// <summary>The object <c>callable(*arguments)</c> would make (REDUCE).</summary>
    object? Reduce(object callable, object?[] arguments);

    /// <summary>The object after <c>__setstate__(state)</c> (BUILD).</summary>
    object? Build(object? target, object? state);

    /// <summary>The object behind a persistent id (BINPERSID).</summary>
    object? PersistentLoad(object? persistentId);
}
