using System.Collections.Immutable;
using System.CommandLine;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Providers.Dns;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Zones;
using Fleetctl.Dns;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl zones render [--out DIR]</c> renders every zone from the fleet and the inventory
/// without pushing; <c>fleetctl zones diff</c> compares the generated records with what the name
/// server serves (AXFR) and exits 2 when they differ (drift or pending changes).
/// </summary>
public static class ZonesCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("zones", "DNS zones generated from the fleet and the inventory.");
        command.Subcommands.Add(CreateRender(global, host));
        command.Subcommands.Add(CreateDiff(global, host));
        return command;
    }

    private static Command CreateRender(GlobalOptions global, CliHost host)
    {
        var output = new Option<string?>("--out") { Description = "Write <zone>.zone files into this directory instead of printing them." };
        var command = new Command("render", "Render every zone (validated, with the serial a push would use) without pushing it.") { output };
        command.SetAction(async (parse, ct) =>
        {
            var (zones, states) = await LoadAsync(global, parse, host, ct);
            await using var _ = states.Database;
            using var pushTarget = ZonePushTarget.Create(states.Desired.Fleet.Dns()?.Push, global.FleetDirectory(parse, host), host.GetEnvironment, host.Clock);
            var publisher = new ZonePublisher(pushTarget.Pusher, states.Store, new ZoneRenderer(), host.Clock);
            var rendered = new List<(ZoneData Zone, string Text)>();
            var problems = new List<Diagnostic>();
            foreach (var zone in zones)
            {
                try
                {
                    // The serial and text a push would use, from the same code the push runs.
                    var result = await publisher.RenderAsync(await publisher.InspectAsync(zone, ct), ct);
                    rendered.Add((result.Zone, result.Text));
                }
                catch (FleetException e)
                {
                    problems.AddRange(e.Diagnostics);
                }
            }

            if (problems.Count > 0)
            {
                throw new FleetException(problems);
            }

            if (parse.GetValue(output) is not { } directory)
            {
                foreach (var (_, text) in rendered)
                {
                    await host.Out.WriteAsync(text);
                }

                return ExitCodes.Success;
            }

            var target = Path.GetFullPath(directory, host.CurrentDirectory);
            foreach (var (zone, text) in rendered)
            {
                await ZoneFiles.WriteAtomicAsync(target, zone.FileName, text, ct);
                await host.Out.WriteLineAsync($"wrote {Path.Combine(target, zone.FileName)} ({zone.Nameservers.Length + zone.Records.Length} records)");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateDiff(GlobalOptions global, CliHost host)
    {
        var command = new Command("diff", "Compare the generated zones with what the name server serves; exit 2 when they differ.");
        command.SetAction(async (parse, ct) =>
        {
            var (zones, states) = await LoadAsync(global, parse, host, ct);
            await using var _ = states.Database;
            using var target = ZonePushTarget.Create(states.Desired.Fleet.Dns()?.Push, global.FleetDirectory(parse, host), host.GetEnvironment, host.Clock);
            if (!target.Pusher.CanReadServed)
            {
                throw new FleetException(states.Desired.Fleet.Dns()?.Push?.Locations.Of("method") ?? states.Desired.Fleet.Locations.Of("dns"),
                    $"zones diff reads the zones from a name server, and push method {target.Pusher.Method} has none to read from; use rndc or rfc2136");
            }

            var publisher = new ZonePublisher(target.Pusher, states.Store, new ZoneRenderer(), host.Clock);
            var differ = false;
            foreach (var zone in zones)
            {
                var status = await publisher.InspectAsync(zone, ct);
                var name = zone.Name.TrimEnd('.');
                if (status.Served is null)
                {
                    differ = true;
                    await host.Out.WriteLineAsync($"zone {name}: not served (a push would create it with {zone.Nameservers.Length + zone.Records.Length} records)");
                    continue;
                }

                if (status.Diff.IsEmpty)
                {
                    await host.Out.WriteLineAsync($"zone {name}: in sync (serial {status.Served.Serial})");
                    continue;
                }

                differ = true;
                await host.Out.WriteLineAsync($"zone {name}: {(status.Drift ? "drift" : "changes")} ({status.Diff}), serving serial {status.Served.Serial}");
                foreach (var line in DnsProvider.DiffLines(status.Diff, zone.Name))
                {
                    await host.Out.WriteLineAsync("  " + line);
                }
            }

            return differ ? ExitCodes.Changes : ExitCodes.Success;
        });
        return command;
    }

    private sealed record States(Fleet.Engine.Model.DesiredState Desired, Fleet.State.StateDatabase Database, IZoneStateStore Store);

    /// <summary>Loads the fleet and the inventory and generates every zone; all problems at once, before anything is written.</summary>
    private static async Task<(ImmutableArray<ZoneData> Zones, States States)> LoadAsync(GlobalOptions global, ParseResult parse, CliHost host, CancellationToken cancellationToken)
    {
        var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, cancellationToken);
        try
        {
            if (desired.Fleet.Dns() is null)
            {
                throw new FleetException(desired.Fleet.Locations.Document, "fleet.yaml has no dns section: no zones are managed");
            }

            var machines = await database.Inventory.ListMachinesAsync(null, cancellationToken);
            var zones = DnsProvider.GenerateZones(desired, new DirectorySource(global.FleetDirectory(parse, host)), machines);
            return (zones, new States(desired, database, new DatabaseZoneStateStore(database)));
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}
