using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace Cfcd.Tests.Data;

/// <summary>
/// Small image files, written by code, whose headers declare far more pixels than they hold (decompression bombs).
/// </summary>
internal static class HostileImages
{
    /// <summary>A JPEG of four coloured quadrants, baseline as SkiaSharp encodes it.</summary>
    public static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var red = new SKPaint { Color = SKColors.Red };
            using var blue = new SKPaint { Color = SKColors.Blue };
            canvas.DrawRect(0, 0, width / 2f, height / 2f, red);
            canvas.DrawRect(width / 2f, height / 2f, width / 2f, height / 2f, blue);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>A 16 x 16 baseline JPEG whose SOF0 says <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static byte[] BaselineJpeg(int width, int height) =>
        PatchFrame(Jpeg(16, 16), width, height, progressive: false);

    /// <summary>The same with the frame marker made SOF2: progressive, as far as any header reader can tell.</summary>
    public static byte[] ProgressiveJpeg(int width, int height) =>
        PatchFrame(Jpeg(16, 16), width, height, progressive: true);

    /// <summary>A JPEG's frame header rewritten to the given size (unchanged where 0), optionally to SOF2.</summary>
    public static byte[] PatchFrame(byte[] jpeg, int width, int height, bool progressive)
    {
        var bytes = (byte[])jpeg.Clone();
        // Walk the marker segments from after SOI to the frame header.
        int at = 2;
        while (bytes[at + 1] != 0xC0)
            at += 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2));
        if (progressive)
            bytes[at + 1] = 0xC2;
        if (height > 0)
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 5), (ushort)height);
        if (width > 0)
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 7), (ushort)width);
        return bytes;
    }

    /// <summary>An RGB PNG whose IHDR says <paramref name="width"/> x <paramref name="height"/>; a tiny IDAT.</summary>
    public static byte[] Png(int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = 2;
        Chunk(file, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
                zlib.Write(new byte[16]);
            Chunk(file, "IDAT", compressed.ToArray());
        }
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        file.Write(length);
        byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
        file.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typeAndData));
        file.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in bytes)
        {
            crc ^= value;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> in <paramref name="folder"/>.</summary>
    public static string Write(string folder, string name, byte[] bytes)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
