namespace Cfcd.Data.Synthetic;

/// <summary>How a database view of a query's scene counts for that query, as in the revisited protocol.</summary>
public enum ViewLabel { Easy, Hard, Junk }

internal static class ViewLabels
{
    /// <summary>Below this visible share of the structure a view is junk: too little of the landmark to be
    /// judged.</summary>
    public const double JunkBelow = 0.25;

    /// <summary>From this visible share, a view without a strong camera or lighting change is easy.</summary>
    public const double EasyFrom = 0.7;

    public static ViewLabel Classify(double visibleFraction, bool strongChange) =>
        visibleFraction < JunkBelow ? ViewLabel.Junk
        : visibleFraction >= EasyFrom && !strongChange ? ViewLabel.Easy
        : ViewLabel.Hard;
}
