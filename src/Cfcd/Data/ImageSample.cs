namespace Cfcd.Data;

/// <summary>One image of a data set: its path (absolute, or relative to the working folder) and class label.</summary>
public sealed record ImageSample(string Path, int Label);
