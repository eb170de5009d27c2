using System.Buffers.Binary;
using System.Text;
using Cfcd.Training;

namespace Cfcd.Tests.Training;

public class TensorBoardLogTests
{
    /// <summary>CRC-32C (Castagnoli), masked as TFRecord does.</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte value in data)
        {
            crc ^= value;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xA282EAD8;
    }

    /// <summary>The records of a TFRecord file, checking both CRCs of each.</summary>
    private static List<byte[]> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (int offset = 0; offset < bytes.Length;)
        {
            var header = bytes.AsSpan(offset, 8);
            long length = BinaryPrimitives.ReadInt64LittleEndian(header);
            Assert.Equal(MaskedCrc(header), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 8)));
            var data = bytes.AsSpan(offset + 12, (int)length);
            Assert.Equal(MaskedCrc(data),
                BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + (int)length)));
            records.Add(data.ToArray());
            offset += 16 + (int)length;
        }
        return records;
    }

    [Fact]
    public void RowsBecomeScalarEventsWithUnixWallTimes()
    {
        string folder = TestPaths.NewTempFolder();
        var log = new TensorBoardLog(folder);
        log.Append(new MetricsRow(MetricsRow.TrainPhase, 1, 20,
            new Dictionary<string, double> { [MetricsRow.Loss] = 3.5, [MetricsRow.Scale] = 32 }));
        log.Append(new MetricsRow(MetricsRow.ValidationPhase, 1, 20,
            new Dictionary<string, double> { [MetricsRow.Top1] = 40 }));
        var records = Records(Directory.GetFiles(folder, "events.out.tfevents.*").Single());
        // The file version event, then one event per scalar.
        Assert.Equal(4, records.Count);
        Assert.Contains("brain.Event:2", Encoding.ASCII.GetString(records[0]));
        string scalars = string.Concat(records.Skip(1).Select(Encoding.ASCII.GetString));
        Assert.Contains("train/loss", scalars);
        Assert.Contains("train/scale", scalars);
        Assert.Contains("val/top1", scalars);
        // Event field 1 (wall_time, a double) comes first.
        Assert.Equal(0x09, records[1][0]);
        double wallTime = BinaryPrimitives.ReadDoubleLittleEndian(records[1].AsSpan(1));
        Assert.InRange(wallTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);
    }
}
