using System.CommandLine;
using System.CommandLine.Completions;
using System.Text;

namespace Fleetctl.Rendering;

/// <summary>
/// fleetctl(1) in roff (man(7) macros), generated from the command tree so that it covers every
/// command, argument and option the binary has; only the sections around it are written here.
/// </summary>
public static class ManPage
{
    public static string Render(RootCommand root, BuildInfo build)
    {
        var page = new StringBuilder();
        page.Append(".TH FLEETCTL 1 ").Append(Quote(build.BuildDate.Split('T')[0])).Append(' ')
            .Append(Quote($"fleetctl {build.Version}")).Append(" \"User Commands\"\n");
        page.Append(".SH NAME\nfleetctl \\- declarative, GitOps reconciliation of machine fleets (physical, GCP, DNS)\n");
        page.Append(".SH SYNOPSIS\n.B fleetctl\n[\\fB\\-C\\fR \\fIDIR\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n.br\n.B fleetctl \\-\\-version\n");
        page.Append("""
            .SH DESCRIPTION
            fleetctl manages a fleet of machines the way Terraform manages cloud resources. A fleet repository
            holds YAML that says how many machines of which role, where and on what backend:
            .I fleet.yaml
            at its root, and Role, Pool and Zone documents in any .yaml or .yml file below it.
            .B fleetctl plan
            compares that desired state with the machine inventory, Compute Engine and the DNS zones and shows
            the changes;
            .B fleetctl apply
            runs them as jobs (installs, recycles, group resizes, zone pushes);
            .B fleetctl reconcile
            repairs or reports drift on a schedule. Every user error is reported as
            .IR file : line : column :
            .IR message ,
            all of them at once, and nothing is written.

            """);

        page.Append(".SH COMMANDS\n");
        foreach (var command in Commands.CompletionCommand.Walk(root).Skip(1).Where(c => !c.Hidden))
        {
            AppendCommand(page, command, Path(command));
        }

        page.Append(".SH GLOBAL OPTIONS\nEvery command accepts these.\n");
        foreach (var option in root.Options.Where(o => !o.Hidden))
        {
            AppendOption(page, option);
        }

        page.Append("""
            .SH EXIT STATUS
            .TP
            .B 0
            Success, or no changes.
            .TP
            .B 1
            An error: invalid desired state, a stale or altered plan, a database that cannot be reached, a failed change.
            .TP
            .B 2
            Changes present: only with \fB\-\-detailed\-exitcode\fR, and from \fBreconcile \-\-once\fR when drift remains.
            .SH ENVIRONMENT
            .TP
            .B FLEET_INVENTORY
            The inventory database (\fBsqlite:\fR\fIPATH\fR, a PostgreSQL URI or connection string); overrides \fBinventory\fR in fleet.yaml.
            .TP
            .B NO_COLOR
            When set, output is not coloured (as \fB\-\-no\-color\fR).
            .TP
            .B FLEET_DEBUG
            When set, an internal error also prints its stack trace.
            .PP
            Credentials (BMC passwords, TSIG and rndc keys, GCP keys) are named in fleet.yaml as \fBenv:\fR\fINAME\fR or
            \fBfile:\fR\fIPATH\fR references and never appear in output.
            .SH FILES
            .TP
            .I fleet.yaml
            The root of a fleet repository.
            .TP
            .I .fleet/inventory.db
            The default, embedded inventory (SQLite), relative to the fleet directory.
            .TP
            .I share/fleetctl/schemas/*.json
            The JSON Schemas of the YAML kinds in the release archive (also printed by \fBfleetctl schema\fR).
            .SH EXAMPLES
            .nf
            fleetctl validate
            fleetctl plan \-\-out plan.json
            fleetctl apply plan.json \-\-checksum sha256:...
            fleetctl plan \-\-base origin/main \-\-ref HEAD \-\-format markdown
            fleetctl worker \-\-site lon \-\-concurrency 20
            fleetctl reconcile \-\-once
            source <(fleetctl completion bash)
            .fi
            .SH SEE ALSO
            The documentation in the fleetctl repository: README.md and docs/.

            """);
        return page.ToString();
    }

    private static void AppendCommand(StringBuilder page, Command command, string path)
    {
        var usage = new StringBuilder(path);
        if (command.Options.Any(o => !o.Hidden))
        {
            usage.Append(" [OPTIONS]");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var name = argument.Name.ToUpperInvariant() + (argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty);
            usage.Append(' ').Append(argument.Arity.MinimumNumberOfValues == 0 ? $"[{name}]" : name);
        }

        if (command.Subcommands.Any(c => !c.Hidden))
        {
            usage.Append(" COMMAND");
        }

        page.Append(".SS ").Append(Quote(usage.ToString())).Append('\n');
        page.Append(Escape(command.Description ?? string.Empty)).Append('\n');
        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            page.Append(".TP\n.I ").Append(Escape(argument.Name.ToUpperInvariant())).Append('\n')
                .Append(Escape(argument.Description ?? string.Empty)).Append('\n');
        }

        foreach (var option in command.Options.Where(o => !o.Hidden))
        {
            AppendOption(page, option);
        }
    }

    private static void AppendOption(StringBuilder page, Option option)
    {
        var names = string.Join(", ", option.Aliases.Order(StringComparer.Ordinal).Append(option.Name)
            .Where(n => n.StartsWith('-')).Distinct().Select(n => $"\\fB{Escape(n)}\\fR"));
        page.Append(".TP\n").Append(names);
        string description = option.Description ?? string.Empty;
        if (option.Arity.MaximumNumberOfValues > 0 && option is not VersionOption)
        {
            var values = option.ValueType == typeof(bool) ? [] : option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
            var label = values.Count > 0 ? string.Join("|", values) : (option.HelpName ?? option.Name.TrimStart('-')).ToUpperInvariant();
            page.Append(" \\fI").Append(Escape(label)).Append("\\fR");
            if (option.HasDefaultValue && option.GetDefaultValue() is { } value && value is not bool && value.ToString() is { Length: > 0 } text && !text.StartsWith("System.", StringComparison.Ordinal))
            {
                description += $" Default: {text}.";
            }
        }

        page.Append('\n').Append(Escape(description)).Append('\n');
    }

    private static string Path(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', ["fleetctl", .. names]);
    }

    private static string Quote(string text) => $"\"{Escape(text).Replace("\"", "\\(dq", StringComparison.Ordinal)}\"";

    /// <summary>Text as roff reads it literally: backslashes, hyphens and non-ASCII characters escaped, and no line starting with a control character.</summary>
    private static string Escape(string text) =>
        string.Join('\n', text.Split('\n').Select(line =>
        {
            var escaped = new StringBuilder();
            foreach (var rune in line.EnumerateRunes())
            {
                escaped.Append(rune.Value switch
                {
                    '\\' => "\\e",
                    '-' => "\\-",
                    < 128 => rune.ToString(),
                    _ => $"\\[u{rune.Value:X4}]",
                });
            }
            return line.StartsWith('.') || line.StartsWith('\'') ? "\\&" + escaped : escaped.ToString();
        }));
}
