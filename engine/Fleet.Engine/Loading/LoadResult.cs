using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;

namespace Fleet.Engine.Loading;

/// <summary>
/// The outcome of loading a fleet repository: the desired state when it is valid, and every
/// diagnostic (sorted by file, line, column). <see cref="Desired"/> is null when any error was found.
/// </summary>
public sealed record LoadResult(DesiredState? Desired, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool Succeeded => Desired is not null && !Diagnostics.Any(d => d.IsError);

    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
