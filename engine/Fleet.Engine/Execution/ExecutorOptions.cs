namespace Fleet.Engine.Execution;

/// <summary>
/// Bounds on concurrency: at most <see cref="PerSite"/> changes of one site run at once (changes
/// without a site share one group), and at most <see cref="Global"/> in all.
/// </summary>
public sealed record ExecutorOptions(int PerSite, int Global)
{
    public static ExecutorOptions Default { get; } = new(10, 10);

    public static ExecutorOptions WithParallelism(int perSite) => new(perSite, int.MaxValue);

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PerSite, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Global, 1);
    }
}
