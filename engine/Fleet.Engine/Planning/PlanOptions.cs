namespace Fleet.Engine.Planning;

/// <summary>
/// The user's choices for one plan: which pools to look at, whether removing undeclared pools is
/// allowed (<c>--allow-destroy</c>), and whether unsafe plans are accepted (<c>--force</c>).
/// </summary>
public sealed record PlanOptions(PlanSelection Selection, bool AllowDestroy = false, bool Force = false)
{
    public static PlanOptions Default { get; } = new(PlanSelection.All);
}
