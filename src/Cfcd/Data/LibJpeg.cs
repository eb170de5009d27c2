using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Cfcd.Data;

/// <summary>
/// libjpeg-turbo through <c>native/cfcdjpeg.c</c> (built with cfcd where a C compiler and libjpeg headers exist):
/// scaled decoding of only a window of rows and columns. Debian's libjpeg-turbo decodes about twice as fast as the
/// JPEG decoder inside SkiaSharp's self-contained build, and its column cropping is safe where Skia's subset path
/// corrupted the heap. <c>CFCD_JPEG=skia</c> turns it off.
/// </summary>
internal static unsafe class LibJpeg
{
    public enum Result { Ok = 0, Damaged = -1, Unsupported = -2 }

    private static readonly delegate* unmanaged<byte*, int, int, int, int, int, byte*, long,
        int*, int*, int*, int*, int*, byte*, int, int> Decode = Load();

    public static bool Available => Decode != null;

    /// <summary>The size of the image decoded at 1/<paramref name="denominator"/>.</summary>
    public static Result ScaledSize(string path, int denominator, out int width, out int height, out string message)
    {
        var result =
            Window(path, denominator, 0, 0, 0, 0, null, 0, out _, out _, out _, out width, out height, out message);
        return result;
    }

    /// <summary>
    /// Rows [top, bottom) of a window of the scaled image into <paramref name="output"/>: <paramref name="width"/>
    /// columns from <paramref name="firstColumn"/>, of which [left, right) are exactly the full decode's.
    /// </summary>
    public static Result Window(string path, int denominator, int left, int right, int top, int bottom, byte* output,
        long capacity,
        out int firstColumn, out int width, out int rows, out int scaledWidth, out int scaledHeight, out string message)
    {
        var pathBytes = Encoding.UTF8.GetBytes(path + "\0");
        var messageBytes = new byte[256];
        int first, columns, decoded, fullWidth, fullHeight, status;
        fixed (byte* pathPointer = pathBytes)
        fixed (byte* messagePointer = messageBytes)
            status =
                Decode(pathPointer, denominator, left, right, top, bottom, output, capacity, &first, &columns, &decoded,
                &fullWidth, &fullHeight, messagePointer, messageBytes.Length);
        (firstColumn, width, rows, scaledWidth, scaledHeight) = (first, columns, decoded, fullWidth, fullHeight);
        message = Encoding.UTF8.GetString(messageBytes, 0, Math.Max(0, Array.IndexOf(messageBytes, (byte)0)));
        return (Result)status;
    }

    private static delegate* unmanaged<byte*, int, int, int, int, int, byte*, long,
        int*, int*, int*, int*, int*, byte*, int, int> Load()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("CFCD_JPEG") == "skia")
            return null;
        if (!NativeLibrary.TryLoad("libcfcdjpeg.so", Assembly.GetExecutingAssembly(),
            DllImportSearchPath.AssemblyDirectory, out var library)
            || !NativeLibrary.TryGetExport(library, "cfcd_jpeg_decode_window", out var function))
            return null;
        return (delegate* unmanaged<byte*, int, int, int, int, int, byte*, long,
            int*, int*, int*, int*, int*, byte*, int, int>)function;
    }
}
