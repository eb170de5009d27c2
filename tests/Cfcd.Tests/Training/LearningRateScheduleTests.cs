using Cfcd.Config;
using Cfcd.Training;

namespace Cfcd.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void StageOneWarmsUpThenFollowsTheCosine()
    {
        var schedule = LearningRateSchedule.FromConfig(new CfcdConfig());
        for (int epoch = 0; epoch < 50; epoch++)
        {
            double cosine = 0.5 * 0.005 * (1 + Math.Cos(Math.PI * epoch / 50));
            double warmup = epoch < 5 ? 0.1 * (1 - epoch / 5.0) + epoch / 5.0 : 1.0;
            Assert.Equal(cosine * warmup, schedule.At(epoch), 12);
        }
        Assert.Equal(0.0005, schedule.At(0), 12);
        Assert.Equal(0.5 * 0.005 * (1 + Math.Cos(Math.PI / 50)) * 0.28, schedule.At(1), 12);
        Assert.Equal(0.5 * 0.005 * (1 + Math.Cos(Math.PI * 25 / 50)), schedule.At(25), 12);
    }

    [Fact]
    public void StageTwoRestartsWithoutWarmUp()
    {
        var schedule = LearningRateSchedule.FromConfig(new CfcdConfig { Train = new TrainConfig { Stage = 2 } });
        Assert.Equal(0.005, schedule.At(0), 12);
        Assert.Equal(0.5 * 0.005 * (1 + Math.Cos(Math.PI * 49 / 50)), schedule.At(49), 12);
    }
}
