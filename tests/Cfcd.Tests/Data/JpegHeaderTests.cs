using Cfcd.Data;

namespace Cfcd.Tests.Data;

public class JpegHeaderTests
{
    private static byte[] Segment(byte marker, params byte[] body) =>
        [0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2), .. body];

    /// <summary>SOI, APP0, a 3-component <paramref name="frame"/>, a <paramref name="scanComponents"/> scan.</summary>
    private static byte[] Header(byte frame, int scanComponents) =>
    [
        0xFF, 0xD8,
        .. Segment(0xE0, "JFIF\0"u8.ToArray()),
        0xFF, 0xFF,
        .. Segment(frame, 8, 0x01, 0x00, 0x01, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1),
        .. Segment(0xDA, [(byte)scanComponents, .. new byte[2 * scanComponents], 0, 63, 0]),
    ];

    private static bool Scan(byte[] bytes) =>
        JpegHeader.IsSingleScanSequential(HostileImages.Write(TestPaths.NewTempFolder(), "h.jpg", bytes));

    [Theory]
    [InlineData(0xC0, 3, true)]
    [InlineData(0xC1, 3, true)]
    [InlineData(0xC0, 1, false)]
    [InlineData(0xC2, 3, false)]
    [InlineData(0xC3, 3, false)]
    [InlineData(0xC9, 3, false)]
    public void OnlySingleScanSequentialFramesCountAsSequential(byte frame, int scanComponents, bool sequential) =>
        Assert.Equal(sequential, Scan(Header(frame, scanComponents)));

    [Fact]
    public void MissingOrTruncatedHeadersAreNotSequential()
    {
        var header = Header(0xC0, 3);
        Assert.False(Scan(header[2..]));
        // Cut in the scan header before its component count, and in the frame header.
        Assert.False(Scan(header[..(header.Length - 11)]));
        Assert.False(Scan(header[..(header.Length - 20)]));
        Assert.False(Scan([0xFF, 0xD8, .. Segment(0xDA, 3, 0, 0, 0, 0, 0, 0, 0, 63, 0)]));
        Assert.False(Scan([0xFF, 0xD8, .. Enumerable.Repeat((byte)0xFF, 100_000)]));
    }

    [Fact]
    public void RealJpegsAreReadThroughTheirSegments()
    {
        var jpeg = HostileImages.Jpeg(64, 48);
        Assert.True(Scan(jpeg));
        Assert.False(Scan(HostileImages.PatchFrame(jpeg, 0, 0, progressive: true)));
        Assert.True(Scan(File.ReadAllBytes(TestPaths.Fixture("Data", "orientation6.jpg"))));
    }
}
