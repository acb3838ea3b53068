using System.Collections.Immutable;
using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleetctl.GitOps;
using Fleetctl.Rendering;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl plan [--out FILE] [--format text|json|markdown] [--detailed-exitcode] [--pool GLOB]…
/// [--site NAME]… [--exclude GLOB]… [--allow-destroy] [--force]</c>: what apply would do, and
/// optionally the plan file that apply can execute exactly. Exit 0, 1 on error (including an unsafe
/// plan without --force), 2 when there are changes and --detailed-exitcode is given.
/// </summary>
public static class PlanCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var flags = new PlanFlags();
        var output = new Option<string?>("--out") { Description = "Also write the plan file here, for fleetctl apply PLANFILE and fleetctl show." };
        var format = FormatOption();
        var detailed = new Option<bool>("--detailed-exitcode") { Description = "Exit 2 when the plan has changes (0 when none, 1 on error)." };
        var source = new SourceOption();
        var baseRef = new Option<string?>("--base")
        {
            Description = "For a pull request: first show what changed in the desired state since this git ref (e.g. origin/main).",
        };
        var command = new Command("plan", "Show the changes that would bring the fleet to its desired state.") { output, format, detailed, baseRef };
        flags.AddTo(command);
        source.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var fleetDirectory = global.FleetDirectory(parse, host);
            using var opened = source.Open(parse, fleetDirectory);
            var fleet = await OpenedFleet.OpenAsync(opened.Source, fleetDirectory, host, readMachines: true, ct);
            await using (fleet)
            {
                var desired = fleet.Desired;
                var options = flags.Bind(parse, desired);
                (ImmutableArray<DocumentChange> Changes, string Base)? changes = parse.GetValue(baseRef) is { } reference
                    ? DesiredChangesSince(host.Runtime.Loader, fleetDirectory, reference, desired)
                    : null;
                var providers = FleetProviders.Create(fleet.Database, desired, opened.Source, fleetDirectory, host, fleet.Machines);
                var plan = await providers.PlanAsync(desired, opened.PlanSource, options, ct);
                if (parse.GetValue(output) is { } path)
                {
                    await PlanFile.WriteAsync(plan, Path.GetFullPath(path, host.CurrentDirectory), ct);
                }

                if (changes is { } diff)
                {
                    var head = opened.Source.Description;
                    await (parse.GetValue(format) switch
                    {
                        "markdown" => DesiredChangesRenderer.WriteMarkdownAsync(host.Out, diff.Changes, diff.Base, head),
                        "text" => DesiredChangesRenderer.WriteTextAsync(host.Out, diff.Changes, diff.Base, head),
                        _ => Task.CompletedTask, // json: stdout is exactly the plan file
                    });
                }

                await Render(parse, format, global, host).RenderAsync(plan, host.Out, ct);
                return parse.GetValue(detailed) && plan.HasChanges ? ExitCodes.Changes : ExitCodes.Success;
            }
        });
        return command;
    }

    /// <summary>The desired state at <paramref name="reference"/> compared with <paramref name="head"/>.</summary>
    private static (ImmutableArray<DocumentChange> Changes, string Base) DesiredChangesSince(FleetLoader loader, string fleetDirectory, string reference, DesiredState head)
    {
        using var baseSource = GitCommitSource.Open(fleetDirectory, reference);
        var before = loader.Load(baseSource);
        if (before.Desired is null)
        {
            throw new FleetException(before.Diagnostics.Select(d => d with { Message = $"at --base {reference}: {d.Message}" }));
        }

        return (DesiredStateDiff.Compare(before.Desired, head), baseSource.Description);
    }

    /// <summary><c>--format text|json|markdown</c>, shared by plan and show.</summary>
    internal static Option<string> FormatOption() =>
        InventoryCommand.FormatOption("text", "text", "json", "markdown");

    internal static IPlanRenderer Render(ParseResult parse, Option<string> format, GlobalOptions global, CliHost host) =>
        PlanRenderers.For(
            Enum.Parse<PlanFormat>(parse.GetValue(format) ?? "text", ignoreCase: true),
            host.Runtime.Catalog.Actions,
            host.UseColor(parse.GetValue(global.NoColor)),
            host.OutBytes);
}

/// <summary>
/// The flags that shape a plan, for every command that plans (plan, apply, reconcile):
/// selection (<c>--pool</c>, <c>--site</c>, <c>--exclude</c>), <c>--allow-destroy</c> and <c>--force</c>.
/// </summary>
public sealed class PlanFlags
{
    public Option<string[]> Pools { get; } = new("--pool") { Description = "Plan only pools whose name matches this glob (* and ?); repeatable." };

    public Option<string[]> Sites { get; } = new("--site") { Description = "Plan only pools and zones of this site; repeatable." };

    public Option<string[]> Excludes { get; } = new("--exclude") { Description = "Leave out pools whose name matches this glob; repeatable." };

    public Option<bool> AllowDestroy { get; } = new("--allow-destroy") { Description = "Recycle the machines of pools no longer declared (never protected ones)." };

    public Option<bool> Force { get; } = new("--force") { Description = "Accept a plan that exceeds the safety limits (safety.maxRecyclePercent, zone change limits)." };

    public void AddTo(Command command)
    {
        command.Options.Add(Pools);
        command.Options.Add(Sites);
        command.Options.Add(Excludes);
        command.Options.Add(AllowDestroy);
        command.Options.Add(Force);
    }

    /// <summary>The plan options; an unknown <c>--site</c> is an error naming the sites there are.</summary>
    public PlanOptions Bind(ParseResult parse, DesiredState desired)
    {
        var sites = parse.GetValue(Sites) ?? [];
        var unknown = sites.Where(s => desired.FindSite(s) is null).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            var known = string.Join(", ", desired.Fleet.Sites.Select(s => s.Name));
            throw new FleetException(unknown.Select(s => Diagnostic.Error($"--site: unknown site '{s}' (fleet.yaml declares: {known})")));
        }

        var selection = new PlanSelection([.. parse.GetValue(Pools) ?? []], [.. sites], [.. parse.GetValue(Excludes) ?? []]);
        return new PlanOptions(selection, parse.GetValue(AllowDestroy), parse.GetValue(Force));
    }
}
