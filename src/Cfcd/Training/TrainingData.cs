using Cfcd.Config;
using Cfcd.Data;

namespace Cfcd.Training;

/// <summary>
/// The lists a run trains and validates on. Why: the training list sizes the classifier, so the validation list's
/// labels are checked against it before anything is built.
/// </summary>
internal sealed record TrainingData(ImageDataset Train, ImageDataset? Validation)
{
    public static TrainingData Load(DataConfig data)
    {
        var train = ImageDataset.Load(data.TrainList, data.Root);
        var validation = data.ValList is string valList ? ImageDataset.Load(valList, data.Root) : null;
        if (validation is not null && validation.Classes > train.Classes)
            throw new InputException(
                $"{data.ValList}: has label {validation.Classes - 1}, the training list only {train.Classes} classes");
        return new TrainingData(train, validation);
    }
}
