using System.Text;
using Fleet.Engine.Planning;

namespace Fleetctl.Rendering;

/// <summary>
/// The human plan, like Terraform's: changes grouped by pool or zone, each with the symbol of its
/// action's kind (<c>+</c> create, <c>-</c> delete, <c>~</c> update, <c>-/+</c> replace) and its
/// reason, then the limits the plan hit and a summary line. Colour (ANSI) only when asked for, i.e. on a terminal. Control characters from a
/// plan file are replaced, so a crafted plan cannot drive the terminal.
/// </summary>
public sealed class TextPlanRenderer(ActionCatalog actions, bool color) : IPlanRenderer
{
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Green = "\u001b[32m";
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";

    public async Task RenderAsync(Plan plan, TextWriter output, CancellationToken cancellationToken)
    {
        var text = new StringBuilder(256 + (plan.Changes.Length * 80));
        text.Append("Fleet ").Append(Clean(plan.Fleet)).Append(", desired state from ").Append(Clean(PlanSummary.DescribeSource(plan.Source))).Append('.').Append('\n');
        if (plan.HasChanges)
        {
            text.Append('\n').Append("fleetctl will perform the following actions:").Append('\n');
            foreach (var resource in PlanSummary.ByResource(plan))
            {
                text.Append('\n').Append(Paint(Bold, $"  # {Clean(resource.Key)} ({Clean(resource.First().Provider)})")).Append('\n');
                foreach (var change in resource)
                {
                    AppendChange(text, change);
                }
            }
        }

        if (!plan.Limits.IsEmpty)
        {
            text.Append('\n').Append(Paint(Bold, "Limits:")).Append('\n');
            foreach (var limit in plan.Limits)
            {
                text.Append(Paint(Yellow, "  ! ")).Append(Clean(limit)).Append('\n');
            }
        }

        text.Append('\n').Append(Paint(Bold, plan.HasChanges ? PlanSummary.Sentence(plan, actions) : PlanSummary.NoChanges)).Append('\n');
        await output.WriteAsync(text, cancellationToken);
    }

    private void AppendChange(StringBuilder text, PlannedChange change)
    {
        var kind = actions.KindOf(change.Action);
        var colour = kind switch { ChangeKind.Create => Green, ChangeKind.Delete => Red, _ => Yellow };
        text.Append("  ").Append(Paint(colour, $"{PlanSummary.Symbol(kind)} {Clean(change.Action.Name)}"));
        if (change.Machine is not null)
        {
            text.Append(' ').Append(Clean(change.Machine));
        }

        if (change.Hostname is not null)
        {
            text.Append(kind == ChangeKind.Delete ? " " : " as ").Append(Clean(change.Hostname)); // the hostname it has, or gets
        }

        var difference = PlanSummary.Difference(change);
        if (difference.Length > 0)
        {
            text.Append(' ').Append(Clean(difference));
        }

        text.Append(" (").Append(Clean(change.Reason)).Append(')');
        if (!change.DependsOn.IsEmpty)
        {
            text.Append(", after #").Append(Clean(string.Join(", #", change.DependsOn)));
        }

        text.Append('\n');
        foreach (var line in PlanSummary.ZoneRecordDiff(change))
        {
            var style = line.StartsWith('+') ? Green : line.StartsWith('-') ? Red : Yellow;
            text.Append("      ").Append(Paint(style, Clean(line))).Append('\n');
        }
    }

    private string Paint(string style, string text) => color ? style + text + Reset : text;

    private static string Clean(string text) => TerminalText.Clean(text);
}
