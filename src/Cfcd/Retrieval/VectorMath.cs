using System.Numerics;
using System.Runtime.InteropServices;

namespace Cfcd.Retrieval;

internal static class VectorMath
{
    /// <summary>Dot product of two equal-length float vectors, SIMD with four accumulators.</summary>
    public static float Dot(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        var leftVectors = MemoryMarshal.Cast<float, Vector<float>>(left);
        var rightVectors = MemoryMarshal.Cast<float, Vector<float>>(right);
        Vector<float> sum0 = default, sum1 = default, sum2 = default, sum3 = default;
        int i = 0;
        for (; i + 4 <= leftVectors.Length; i += 4)
        {
            sum0 += leftVectors[i] * rightVectors[i];
            sum1 += leftVectors[i + 1] * rightVectors[i + 1];
            sum2 += leftVectors[i + 2] * rightVectors[i + 2];
            sum3 += leftVectors[i + 3] * rightVectors[i + 3];
        }
        for (; i < leftVectors.Length; i++)
            sum0 += leftVectors[i] * rightVectors[i];
        float dot = Vector.Dot((sum0 + sum1) + (sum2 + sum3), Vector<float>.One);
        for (int j = leftVectors.Length * Vector<float>.Count; j < left.Length; j++)
            dot += left[j] * right[j];
        return dot;
    }
}
