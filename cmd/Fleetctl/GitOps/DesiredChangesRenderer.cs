using System.Collections.Immutable;
using Fleet.Engine.GitOps;
using Fleetctl.Rendering;

namespace Fleetctl.GitOps;

/// <summary>
/// Renders what a pull request changes in the desired state (<c>plan --base</c>), shown before the
/// plan: one line per added or removed document and per changed field.
/// </summary>
public static class DesiredChangesRenderer
{
    public static async Task WriteTextAsync(TextWriter output, ImmutableArray<DocumentChange> changes, string baseDescription, string headDescription)
    {
        await output.WriteLineAsync($"Desired-state changes from {baseDescription} to {headDescription}:");
        if (changes.IsEmpty)
        {
            await output.WriteLineAsync("  (none)");
        }

        foreach (var line in changes.SelectMany(DesiredStateDiff.Describe))
        {
            await output.WriteLineAsync("  " + line);
        }

        await output.WriteLineAsync();
    }

    public static async Task WriteMarkdownAsync(TextWriter output, ImmutableArray<DocumentChange> changes, string baseDescription, string headDescription)
    {
        await output.WriteLineAsync($"### Desired-state changes");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"From {MarkdownPlanRenderer.Escape(baseDescription)} to {MarkdownPlanRenderer.Escape(headDescription)}:");
        await output.WriteLineAsync();
        if (changes.IsEmpty)
        {
            await output.WriteLineAsync("No changes to the desired state.");
        }

        foreach (var line in changes.SelectMany(DesiredStateDiff.Describe))
        {
            await output.WriteLineAsync("- " + MarkdownPlanRenderer.Escape(line));
        }

        await output.WriteLineAsync();
    }
}
