namespace Fleetctl;

/// <summary>The exit codes of every command (DESIGN.md, Plan).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Error = 1;

    /// <summary>Changes present or drift found; only with <c>--detailed-exitcode</c> or <c>reconcile --once</c>.</summary>
    public const int Changes = 2;
}
