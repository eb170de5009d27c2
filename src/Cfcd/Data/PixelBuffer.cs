using System.Runtime.InteropServices;

namespace Cfcd.Data;

/// <summary>
/// Reusable native memory for 8-bit RGBA pixels (row stride = 4 x width). It grows when a larger image comes and
/// is never shrunk, so a worker decodes image after image without managed allocations.
/// </summary>
internal sealed unsafe class PixelBuffer : IDisposable
{
    private nuint _capacity;

    public byte* Pixels { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int Stride => Width * 4;

    public void Resize(int width, int height)
    {
        nuint needed = (nuint)width * (nuint)height * 4;
        if (needed > _capacity)
        {
            NativeMemory.Free(Pixels);
            Pixels = (byte*)NativeMemory.Alloc(needed);
            _capacity = needed;
        }
        Width = width;
        Height = height;
    }

    public void Dispose()
    {
        NativeMemory.Free(Pixels);
        Pixels = null;
        _capacity = 0;
    }
}
