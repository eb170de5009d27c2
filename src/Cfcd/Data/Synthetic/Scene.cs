using SkiaSharp;

namespace Cfcd.Data.Synthetic;

public enum RoofKind { Flat, Gable, Dome, Spire, Stepped }

public enum WindowShape { Rectangle, Rounded, Round }

/// <summary>Windows laid out in a grid on a block's face; <see cref="Fill"/> is the window's share of its
/// cell.</summary>
public sealed record WindowGrid(int Rows, int Columns, WindowShape Shape, SKColor Color, float Fill);

/// <summary>A round ornament (rose window, clock) with spokes.</summary>
public sealed record Emblem(SKPoint Centre, float Radius, SKColor Outer, SKColor Inner, int Spokes);

/// <summary>One building block standing on the ground: a rectangular body and its roof.</summary>
public sealed record SceneBlock(SKRect Body, SKColor Wall, RoofKind Roof, float RoofHeight, SKColor RoofColor,
    WindowGrid Windows, bool HasDoor);

/// <summary>Surface texture shared by a scene's walls: fractal noise and optional horizontal bands (courses of
/// stone).</summary>
public sealed record WallTexture(float Frequency, float Seed, float Strength, float BandPeriod, SKColor BandColor);

/// <summary>
/// A landmark: a structure of blocks on a plane, with sky, far hills and ground, in scene units (the structure
/// lies within about 0..100). It is a description only; <see cref="ViewRenderer"/> draws views of it.
/// <see cref="StructureSamples"/> are points spread over the structure's area, used to measure how much of it
/// a view shows.
/// </summary>
public sealed record Scene(
    SKColor SkyTop,
    SKColor SkyBottom,
    SKColor HillColor,
    IReadOnlyList<SKPoint> HillOutline,
    SKColor Ground,
    float GroundLevel,
    IReadOnlyList<SceneBlock> Blocks,
    Emblem? Emblem,
    WallTexture Texture,
    SKRect StructureBounds,
    IReadOnlyList<SKPoint> StructureSamples);
