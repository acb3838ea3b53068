using System.Globalization;
using System.Text;
using Fleet.Engine.Planning;

namespace Fleetctl.Rendering;

/// <summary>
/// The plan as a pull-request comment: the summary sentence, a table of counts, the limits hit,
/// then one collapsible section per pool or zone. Huge plans are capped at <see cref="MaxRows"/>
/// change rows ("… and N more"). Every piece of text from the plan is escaped, so a name cannot
/// inject markdown, HTML or mentions into the comment.
/// </summary>
public sealed class MarkdownPlanRenderer(ActionCatalog actions, int maxRows = MarkdownPlanRenderer.DefaultMaxRows) : IPlanRenderer
{
    public const int DefaultMaxRows = 300;

    public int MaxRows { get; } = maxRows;

    public async Task RenderAsync(Plan plan, TextWriter output, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.Append("### fleetctl plan: ").Append(Escape(plan.Fleet)).Append("\n\n");
        text.Append("Desired state from ").Append(Escape(PlanSummary.DescribeSource(plan.Source))).Append(".\n\n");
        text.Append("**").Append(Escape(plan.HasChanges ? PlanSummary.Sentence(plan, actions) : PlanSummary.NoChanges)).Append("**\n");

        if (plan.HasChanges)
        {
            text.Append("\n| Action | Changes |\n| --- | ---: |\n");
            foreach (var (action, count) in PlanSummary.Counts(plan, actions))
            {
                text.Append("| ").Append(Escape(action)).Append(" | ").Append(count.ToString(CultureInfo.InvariantCulture)).Append(" |\n");
            }
        }

        if (!plan.Limits.IsEmpty)
        {
            text.Append("\n**Limits hit:**\n\n");
            foreach (var limit in plan.Limits)
            {
                text.Append("- ").Append(Escape(limit)).Append('\n');
            }
        }

        var rows = 0;
        var hidden = 0;
        foreach (var resource in PlanSummary.ByResource(plan))
        {
            var changes = resource.ToList();
            if (rows >= MaxRows)
            {
                hidden += changes.Count;
                continue;
            }

            var count = changes.Count.ToString(CultureInfo.InvariantCulture);
            text.Append("\n<details><summary>").Append(Escape(resource.Key)).Append(" (").Append(Escape(changes[0].Provider)).Append("): ")
                .Append(count).Append(changes.Count == 1 ? " change" : " changes").Append("</summary>\n\n");
            text.Append("| | Action | Machine | Hostname | Details | Reason |\n| --- | --- | --- | --- | --- | --- |\n");
            var shown = Math.Min(changes.Count, MaxRows - rows);
            foreach (var change in changes.Take(shown))
            {
                text.Append("| ").Append(PlanSummary.Symbol(actions.KindOf(change.Action))).Append(" | ").Append(Escape(change.Action.Name))
                    .Append(" | ").Append(Escape(change.Machine ?? string.Empty)).Append(" | ").Append(Escape(change.Hostname ?? string.Empty))
                    .Append(" | ").Append(Escape(PlanSummary.Difference(change))).Append(" | ").Append(Escape(change.Reason)).Append(" |\n");
            }

            rows += shown;
            if (shown < changes.Count)
            {
                text.Append("\n… and ").Append((changes.Count - shown).ToString(CultureInfo.InvariantCulture)).Append(" more\n");
            }

            text.Append("\n</details>\n");
        }

        if (hidden > 0)
        {
            text.Append("\n… and ").Append(hidden.ToString(CultureInfo.InvariantCulture)).Append(" more changes (the plan file has them all)\n");
        }

        await output.WriteAsync(text, cancellationToken);
    }

    /// <summary>
    /// Letters, digits, spaces and harmless punctuation pass; every other ASCII character becomes a
    /// numeric character reference, which markdown and HTML both show literally and never parse as
    /// syntax (no links, emphasis, tags, table pipes or @mentions). Control characters become spaces.
    /// </summary>
    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                escaped.Append(' ');
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '.' or '/' or ':' or ',' or ';' or '%' or '=' or '(' or ')' || c > '\u007f')
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append("&#").Append(((int)c).ToString(CultureInfo.InvariantCulture)).Append(';');
            }
        }

        return escaped.ToString();
    }
}
