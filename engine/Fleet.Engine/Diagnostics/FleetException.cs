using System.Collections.Immutable;

namespace Fleet.Engine.Diagnostics;

/// <summary>
/// A user error that stops a command: bad input, an unreachable database, a stale plan. The CLI
/// prints its diagnostics (never a stack trace) and exits 1. Anything else thrown is a bug.
/// Messages must never contain secrets.
/// </summary>
public sealed class FleetException : Exception
{
    public FleetException(string message)
        : this([Diagnostic.Error(message)])
    {
    }

    public FleetException(SourceLocation location, string message)
        : this([Diagnostic.Error(location, message)])
    {
    }

    public FleetException(IEnumerable<Diagnostic> diagnostics, Exception? inner = null)
        : base(Describe(diagnostics), inner)
    {
        Diagnostics = [.. diagnostics];
    }

    public FleetException(string message, Exception inner)
        : this([Diagnostic.Error(message)], inner)
    {
    }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    /// <summary>
    /// Set when the same work would fail the same way however often it is retried (a machine that is
    /// not in the inventory, a provider this fleetctl does not have): job runners fail the job at once
    /// instead of spending the retry budget and its backoff.
    /// </summary>
    public bool Permanent { get; init; }

    private static string Describe(IEnumerable<Diagnostic> diagnostics) =>
        string.Join(Environment.NewLine, diagnostics.Select(d => d.ToString()));
}
