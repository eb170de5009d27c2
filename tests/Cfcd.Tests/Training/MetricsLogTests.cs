using Cfcd.Training;

namespace Cfcd.Tests.Training;

public class MetricsLogTests
{
    private static MetricsRow Row(long step, double loss) =>
        new(MetricsRow.TrainPhase, 1, step,
            new Dictionary<string, double> { [MetricsRow.Loss] = loss, [MetricsRow.LearningRate] = 0.005 });

    [Fact]
    public void RowsReadBackWithEmptyCellsAbsent()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "metrics.csv");
        using (var log = MetricsLog.Open(path, keepRows: 0))
        {
            log.Append(Row(1, 6.25));
            log.Append(new MetricsRow(MetricsRow.ValidationPhase, 1, 1,
                new Dictionary<string, double> { [MetricsRow.Top1] = 12.5, [MetricsRow.Top5] = 50 }));
        }
        Assert.Equal("phase,epoch,step,lr,loss,ce_loss,local_loss,scale,margin,median_cosine,log_b,matches_per_tuple," +
                     "top1,top5,images_per_s,olp_loss,center_loss,hep_classes", File.ReadLines(path).First());
        Assert.Equal("train,1,1,0.005,6.25,,,,,,,,,,,,,", File.ReadLines(path).ElementAt(1));
        var rows = MetricsLog.Read(path);
        Assert.Equal(6.25, rows[0][MetricsRow.Loss]);
        Assert.Null(rows[0][MetricsRow.Top1]);
        Assert.Equal((12.5, 50.0), (rows[1][MetricsRow.Top1]!.Value, rows[1][MetricsRow.Top5]!.Value));
    }

    [Fact]
    public void AResumedLogKeepsTheCheckpointsRowsAndDropsTheRest()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "metrics.csv");
        using (var log = MetricsLog.Open(path, keepRows: 0))
            for (int step = 1; step <= 3; step++)
                log.Append(Row(step, step));
        using (var resumed = MetricsLog.Open(path, keepRows: 2))
        {
            Assert.Equal(2, resumed.Rows);
            resumed.Append(Row(3, 30));
        }
        Assert.Equal([1.0, 2, 30], MetricsLog.Read(path).Select(row => row[MetricsRow.Loss]!.Value));
        var error = Assert.Throws<InputException>(() => MetricsLog.Open(path, keepRows: 5));
        Assert.Contains("has 3 metrics rows where the checkpoint saw 5", error.Message);
    }

    [Fact]
    public void ARunBegunWithFewerColumnsResumesWithTheNewOnesEmpty()
    {
        string path = Path.Combine(TestPaths.NewTempFolder(), "metrics.csv");
        File.WriteAllLines(path, ["phase,epoch,step,lr,loss,ce_loss,local_loss,scale,margin,median_cosine,log_b," +
                                  "matches_per_tuple,top1,top5,images_per_s", "train,1,1,0.005,6.25,,,,,,,,,,"]);
        using (var log = MetricsLog.Open(path, keepRows: 1))
            log.Append(Row(2, 5.5));
        var rows = MetricsLog.Read(path);
        Assert.Equal([6.25, 5.5], rows.Select(row => row[MetricsRow.Loss]));
        Assert.Null(rows[0][MetricsRow.OlpLoss]);
    }
}
