using Cfcd.Config;

namespace Cfcd.Tests.Config;

public class ConfigDifferenceTests
{
    [Fact]
    public void TheFirstDifferenceBetweenTwoConfigsNamesItsDottedKey()
    {
        var config = new CfcdConfig();
        Assert.Null(ConfigDifference.First(config, config));
        Assert.Equal("train.epochs: 50 vs 3",
            ConfigDifference.First(config, config with { Train = config.Train with { Epochs = 3 } }));
        var queue = config with { Loss = config.Loss with { Olp = config.Loss.Olp with { QueueSize = 100 } } };
        Assert.Equal("loss.olp.queue_size: 16384 vs 100", ConfigDifference.First(config, queue));
    }

    [Fact]
    public void ValuesCompareByValueAndShowInTheirYamlForm()
    {
        var config = new CfcdConfig();
        var sameMean = config with { Model = config.Model with { Mean = [.. config.Model.Mean] } };
        Assert.Null(ConfigDifference.First(config, sameMean));
        var otherMean = config with { Model = config.Model with { Mean = [0.5, 0.5, 0.5] } };
        Assert.Equal("model.mean: [0.406, 0.456, 0.485] vs [0.5, 0.5, 0.5]", ConfigDifference.First(config, otherMean));
        var noValidation = config with { Data = config.Data with { ValList = null } };
        Assert.Equal("data.val_list: \"data/gldv2/val_list.txt\" vs null",
            ConfigDifference.First(config, noValidation));
    }
}
