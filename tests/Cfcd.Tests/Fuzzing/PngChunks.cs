using System.Buffers.Binary;

namespace Cfcd.Tests.Fuzzing;

/// <summary>
/// Rewrites the CRC of every whole chunk of a PNG: without it nearly every mutation is caught by the checksum and
/// the decoder behind it is never reached.
/// </summary>
internal static class PngChunks
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(index =>
    {
        uint value = (uint)index;
        for (int bit = 0; bit < 8; bit++)
            value = (value & 1) != 0 ? 0xEDB88320u ^ (value >> 1) : value >> 1;
        return value;
    }).ToArray();

    public static byte[] WithValidCrcs(byte[] png)
    {
        for (long position = 8; position + 12 <= png.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan((int)position));
            if (length > png.Length - position - 12)
                break;
            int end = (int)(position + 8 + length);
            BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(end), Crc(png.AsSpan((int)position + 4, (int)length + 4)));
            position = end + 4;
        }
        return png;
    }

    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte value in bytes)
            crc = Table[(crc ^ value) & 0xff] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }
}
