namespace Cfcd;

/// <summary>A capability that is named (in a config or an option) but not built yet; the CLI says so and exits with
/// code 3.</summary>
public sealed class NotBuiltException(string message) : Exception(message);
