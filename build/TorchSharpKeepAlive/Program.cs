using Cfcd.Build;

// Usage: TorchSharpKeepAlive PATH/TorchSharp.dll ... (each rewritten in place, once; see KeepAliveRewriter).
foreach (string path in args)
{
    if (!File.Exists(path))
        continue;
    var report = KeepAliveRewriter.RewriteInPlace(path);
    Console.WriteLine(report is null
        ? $"TorchSharpKeepAlive: {path} already keeps its objects alive"
        : $"TorchSharpKeepAlive: {path}: {report}");
}
