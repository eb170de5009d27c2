using Cfcd.Losses;
using Cfcd.Training;

namespace Cfcd.Tests.Training;

public class StepWindowTests
{
    [Fact]
    public void AnExtraTermsMeanLossAndTallyGoToItsColumns()
    {
        var term = new LocalTripletTerm(new LocalTripletLoss(), tupleSize: 4, weight: 1, group: 0);
        var window = new StepWindow();
        window.Add(new StepResult(8, 2.0, [new TermResult(term, 0.5, new Tally(6, 2))], null, 4));
        window.Add(new StepResult(8, 4.0, [new TermResult(term, 1.5, new Tally(2, 2))], null, 4));
        var row = window.Flush(epoch: 1, globalStep: 2, learningRate: 0.1);
        Assert.Equal(1.0, row[MetricsRow.LocalLoss]);
        Assert.Equal(2.0, row[MetricsRow.MatchesPerTuple]);
        Assert.Equal(3.0, row[MetricsRow.ClassificationLoss]);
        Assert.Equal(4.0, row[MetricsRow.Loss]);
        Assert.Equal(50.0, row[MetricsRow.Top1]);

        // The next window starts empty: steps without terms leave their columns empty.
        window.Add(new StepResult(8, 1.0, [], null, 8));
        var next = window.Flush(epoch: 1, globalStep: 3, learningRate: 0.1);
        Assert.Null(next[MetricsRow.LocalLoss]);
        Assert.Null(next[MetricsRow.MatchesPerTuple]);
        Assert.Equal(1.0, next[MetricsRow.Loss]);
    }
}
