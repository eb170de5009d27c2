namespace Cfcd.Data;

/// <summary>Decoded 8-bit pixels, interleaved R, G, B, row by row (Height x Width x 3).</summary>
public sealed record RgbImage(int Width, int Height, byte[] Pixels)
{
    public byte this[int y, int x, int channel] => Pixels[(y * Width + x) * 3 + channel];
}
