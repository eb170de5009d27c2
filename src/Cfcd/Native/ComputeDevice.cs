using static TorchSharp.torch;

namespace Cfcd.Native;

/// <summary>Picks the device a command runs on: the one asked for, or CUDA when present and CPU otherwise.</summary>
public static class ComputeDevice
{
    /// <param name="requested">"cpu", "cuda", or null for the default.</param>
    /// <param name="setting">Where the request came from, for errors: a config key or the caller's option.</param>
    public static Device Resolve(string? requested, string setting) => requested switch
    {
        null => cuda.is_available() ? CUDA : CPU,
        "cpu" => CPU,
        "cuda" => cuda.is_available()
            ? CUDA
            : throw new InputException($"{setting} cuda: CUDA is not available here (a CPU build of libtorch or " +
                                       "no GPU); use cpu"),
        _ => throw new InputException($"{setting} {requested}: use cpu or cuda"),
    };
}
