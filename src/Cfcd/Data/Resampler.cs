using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cfcd.Data;

/// <summary>
/// Bilinear resize of a region straight into normalised float planes (C x H x W), with an optional mirror:
/// OpenCV's INTER_LINEAR (and PyTorch's align_corners=False) sampling, source = (dst + 0.5) * scale - 0.5,
/// clamped to the region, without antialiasing, as the pycls / CFCD training pipeline resizes. Separable: each
/// source row is interpolated horizontally once into a float row, then rows are blended with SIMD.
/// </summary>
internal static unsafe class Resampler
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToPlanes(PixelView source, CropBox region, int width, int height, bool mirror,
        in PlaneWriter writer, Span<float> destination)
    {
        if (destination.Length < 3 * width * height)
            throw new ArgumentException("destination is smaller than 3 x height x width", nameof(destination));
        double left = region.X * source.Scale - source.OffsetX, top = region.Y * source.Scale - source.OffsetY;
        double regionWidth = region.Width * source.Scale, regionHeight = region.Height * source.Scale;

        var columns = new int[2 * width];
        var columnWeights = new float[width];
        for (int x = 0; x < width; x++)
        {
            int target = mirror ? width - 1 - x : x;
            var (first, second, weight) = Taps(x, width, left, regionWidth, source.Width);
            columns[2 * target] = first * 4;
            columns[2 * target + 1] = second * 4;
            columnWeights[target] = weight;
        }
        // Two horizontally interpolated source rows (3 planes each) and the source row each holds.
        var rows = new float[2 * 3 * width];
        Span<int> cachedRow = [-1, -1];
        int plane = width * height;
        int sourceA = writer.Source0, sourceB = writer.Source1, sourceC = writer.Source2;
        for (int y = 0; y < height; y++)
        {
            var (firstRow, secondRow, rowWeight) = Taps(y, height, top, regionHeight, source.Height);
            var upper = Horizontal(source, firstRow, rows, cachedRow, columns, columnWeights, width);
            var lower = Horizontal(source, secondRow, rows, cachedRow, columns, columnWeights, width);
            Blend(upper.Slice(sourceA * width, width), lower.Slice(sourceA * width, width), rowWeight, writer.Scale0,
                writer.Shift0, destination.Slice(y * width, width));
            Blend(upper.Slice(sourceB * width, width), lower.Slice(sourceB * width, width), rowWeight, writer.Scale1,
                writer.Shift1, destination.Slice(plane + y * width, width));
            Blend(upper.Slice(sourceC * width, width), lower.Slice(sourceC * width, width), rowWeight, writer.Scale2,
                writer.Shift2, destination.Slice(2 * plane + y * width, width));
        }
    }

    /// <summary>The R, G, B planes of source row <paramref name="row"/> resampled horizontally, from the two-row
    /// cache.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ReadOnlySpan<float> Horizontal(PixelView source, int row, float[] rows, Span<int> cachedRow,
        int[] columns, float[] weights, int width)
    {
        int slot = cachedRow[0] == row ? 0 : cachedRow[1] == row ? 1 : -1;
        if (slot < 0)
        {
            // Replace the slot that does not hold the row just above (rows only move down).
            slot = cachedRow[0] == row - 1 ? 1 : 0;
            cachedRow[slot] = row;
            var output = rows.AsSpan(slot * 3 * width, 3 * width);
            byte* pixels = source.Pixels + (long)row * source.Stride;
            for (int x = 0; x < width; x++)
            {
                byte* a = pixels + columns[2 * x], b = pixels + columns[2 * x + 1];
                float w = weights[x];
                output[x] = a[0] + (b[0] - a[0]) * w;
                output[width + x] = a[1] + (b[1] - a[1]) * w;
                output[2 * width + x] = a[2] + (b[2] - a[2]) * w;
            }
        }
        return rows.AsSpan(slot * 3 * width, 3 * width);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blend(ReadOnlySpan<float> upper, ReadOnlySpan<float> lower, float weight, float scale,
        float shift, Span<float> output)
    {
        int x = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var upperVectors = MemoryMarshal.Cast<float, Vector<float>>(upper);
            var lowerVectors = MemoryMarshal.Cast<float, Vector<float>>(lower);
            var outputVectors = MemoryMarshal.Cast<float, Vector<float>>(output);
            var weightVector = new Vector<float>(weight);
            var scaleVector = new Vector<float>(scale);
            var shiftVector = new Vector<float>(shift);
            for (int v = 0; v < outputVectors.Length; v++)
                outputVectors[v] =
                    (upperVectors[v] + (lowerVectors[v] - upperVectors[v]) * weightVector) * scaleVector + shiftVector;
            x = outputVectors.Length * Vector<float>.Count;
        }
        for (; x < output.Length; x++)
            output[x] = (upper[x] + (lower[x] - upper[x]) * weight) * scale + shift;
    }

    /// <summary>The two source indices and the weight of the second for output index <paramref
    /// name="index"/>.</summary>
    private static (int First, int Second, float Weight) Taps(int index, int count, double start, double extent,
        int limit)
    {
        double position = (index + 0.5) * (extent / count) - 0.5 + start;
        // A region under one source pixel tall (a tiny crop of a reduced decode) samples its first pixel.
        double lowest = Math.Max(start, 0);
        double last = Math.Max(Math.Min(start + extent - 1, limit - 1), lowest);
        position = Math.Clamp(position, lowest, last);
        int first = (int)position;
        int second = Math.Min(first + 1, limit - 1);
        return (first, second, (float)(position - first));
    }
}
