namespace Cfcd.Data;

/// <summary>
/// Reads a JPEG's markers up to its first scan, because only a single-scan sequential JPEG lets libjpeg decode at
/// 1/2, 1/4 or 1/8 size in memory that follows the output: for a progressive or multi-scan file it holds the
/// whole image's DCT coefficients whatever the output size.
/// </summary>
internal static class JpegHeader
{
    // The scan reads a few bytes per marker and seeks over segment bodies; past these it gives up (not sequential).
    private const int MaxSegments = 1024;
    private const int MaxFillBytes = 64;

    /// <summary>
    /// True for a baseline or extended sequential Huffman JPEG (SOF0, SOF1) whose first scan holds every component;
    /// false for any other frame (progressive SOF2, lossless, arithmetic), several scans, or no frame found in bounds.
    /// </summary>
    public static bool IsSingleScanSequential(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 512);
        if (file.ReadByte() != 0xFF || file.ReadByte() != 0xD8)
            return false;
        int components = 0;
        for (int segment = 0; segment < MaxSegments; segment++)
        {
            int marker = NextMarker(file);
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
                continue;
            int length = (file.ReadByte() << 8) | file.ReadByte();
            if (marker is < 0 or 0xD9 || length < 2)
                return false;
            long next = file.Position + length - 2;
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                if (marker is not (0xC0 or 0xC1))
                    return false;
                // Precision (1 byte), height and width (2 each), then the component count.
                file.Seek(5, SeekOrigin.Current);
                components = file.ReadByte();
            }
            else if (marker == 0xDA)
            {
                return components > 0 && file.ReadByte() == components;
            }
            file.Seek(next, SeekOrigin.Begin);
        }
        return false;
    }

    /// <summary>The next marker code after 0xFF and any fill bytes, or -1 where there is none.</summary>
    private static int NextMarker(FileStream file)
    {
        if (file.ReadByte() != 0xFF)
            return -1;
        for (int fill = 0; fill < MaxFillBytes; fill++)
        {
            int marker = file.ReadByte();
            if (marker != 0xFF)
                return marker;
        }
        return -1;
    }
}
