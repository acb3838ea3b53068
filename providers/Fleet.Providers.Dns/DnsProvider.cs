using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Dns.Diffing;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns;

/// <summary>
/// What the DNS provider needs from the composition root: the loaded desired state and where it came
/// from (templates are read from the same source), the inventory, the zone serial store, the
/// environment for key references and the clock.
/// </summary>
public sealed record DnsProviderOptions(
    DesiredState Desired,
    IFleetSource Source,
    string FleetDirectory,
    IInventoryStore Inventory,
    IZoneStateStore States,
    Func<string, string?> Environment,
    TimeProvider Clock)
{
    /// <summary>
    /// Reads the desired state of a commit (and the source its templates are read from, disposed after
    /// use), so that a zone change planned from a commit is applied from that commit, whatever the
    /// working tree of the process that runs it holds. Null: changes are applied from <see cref="Desired"/>.
    /// </summary>
    public Func<string, (DesiredState Desired, IFleetSource Source)>? ReadCommit { get; init; }
}

/// <summary>What the DNS provider read: the templates, and per zone what is served and what was last pushed (machines come from the plan's projection).</summary>
public sealed record DnsSnapshot(
    ZoneTemplates Templates,
    bool ServedKnown,
    ImmutableDictionary<string, ServedZone> Served,
    ImmutableDictionary<string, ZoneState> Last) : ProviderSnapshot;

/// <summary>
/// The DNS provider: plans <c>zone_create</c>/<c>zone_push</c> for the zones the inventory and desired
/// state generate (after the installs and recycles planned before it), and applies a push by rendering
/// the zone again from the inventory as it is at that moment, so DNS always tells the truth.
/// </summary>
public sealed class DnsProvider(DnsProviderOptions options) : IProvider
{
    /// <summary>The desired state and templates of each commit a change came from, read once per process.</summary>
    private readonly ConcurrentDictionary<string, Lazy<(DesiredState Desired, ZoneTemplates Templates)>> commits = new(StringComparer.Ordinal);

    public const string ProviderName = "dns";

    /// <summary>How many record lines a change carries for review; the counts are always complete.</summary>
    public const int DiffLineCap = 20;

    public string Name => ProviderName;

    public ProviderCapabilities Capabilities { get; } = new([], DnsActions.All);

    public ImmutableArray<Diagnostic> Validate(DesiredState desired)
    {
        var (templates, diagnostics) = ZoneTemplates.Load(desired, options.Source);
        return [.. diagnostics, .. ZoneGenerator.Generate(desired, [], templates).Diagnostics];
    }

    public async Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken)
    {
        var templates = LoadTemplates(desired);
        if (desired.Fleet.Dns() is not { } dns)
        {
            return new DnsSnapshot(templates, false, ImmutableDictionary<string, ServedZone>.Empty, ImmutableDictionary<string, ZoneState>.Empty);
        }

        // Which zones exist depends on the desired state alone, not on the machines in them.
        var zones = ZoneGenerator.Generate(desired, [], templates).ZonesOrThrow();
        using var target = ZonePushTarget.Create(dns.Push, options.FleetDirectory, options.Environment, options.Clock);
        var served = ImmutableDictionary.CreateBuilder<string, ServedZone>(StringComparer.Ordinal);
        var last = ImmutableDictionary.CreateBuilder<string, ZoneState>(StringComparer.Ordinal);
        foreach (var zone in zones)
        {
            if (await target.Pusher.ReadServedCheckedAsync(zone.Name, cancellationToken) is { } s)
            {
                served[zone.Name] = s;
            }

            if (await options.States.GetAsync(zone.Name, cancellationToken) is { } l)
            {
                last[zone.Name] = l;
            }
        }

        return new DnsSnapshot(templates, target.Pusher.CanReadServed, served.ToImmutable(), last.ToImmutable());
    }

    public ProviderPlan Plan(ProviderPlanRequest request)
    {
        var snapshot = (DnsSnapshot)request.Actual;
        if (request.Desired.Fleet.Dns() is null)
        {
            return ProviderPlan.Empty;
        }

        var generation = ZoneGenerator.GenerateFrom(request.Desired, request.Machines, snapshot.Templates);
        var errors = generation.Diagnostics.Where(d => d.IsError).Concat(generation.Zones.SelectMany(z => ZoneValidator.Validate(z))).ToImmutableArray();
        if (!errors.IsEmpty)
        {
            return ProviderPlan.Empty with { Errors = errors };
        }

        var changes = ImmutableArray.CreateBuilder<ProposedChange>();
        var guards = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        var unsafeZones = ImmutableArray.CreateBuilder<string>();
        foreach (var zone in generation.Zones)
        {
            if (!SitesOf(zone, request.Desired).Any(request.Options.Selection.IncludesSite))
            {
                continue; // --site narrows zones to those of the selected sites
            }

            var status = new ZoneStatus(
                zone, snapshot.Served.GetValueOrDefault(zone.Name), snapshot.Last.GetValueOrDefault(zone.Name),
                ZoneDiff.Compute(snapshot.Served.GetValueOrDefault(zone.Name)?.Records ?? [], zone.AllRecords()), zone.ContentHash(), snapshot.ServedKnown);
            guards[Address(zone.Name)] = Guard(snapshot, zone.Name);
            if (!status.NeedsPush)
            {
                continue;
            }

            if (status.Diff.Unsafe(zone.Name, zone.MaxChangePercent) is { } reason)
            {
                unsafeZones.Add(reason);
            }

            changes.Add(new ProposedChange(Change(status, request.Desired, request.Options.Force), [.. SitesOf(zone, request.Desired).Select(site => new ChangeSelector(Site: site) { ChangesMachines = true })]));
        }

        return ProviderPlan.Empty with { Changes = changes.ToImmutable(), Guards = guards.ToImmutable(), Unsafe = unsafeZones.ToImmutable() };
    }

    public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual)
    {
        var snapshot = (DnsSnapshot)actual;
        return [.. guards
            .Select(g => (g.Key, g.Value, Address: ResourceAddress.TryParse(g.Key, out var address) ? address : default))
            .Where(g => g.Address.IsA("zone"))
            .Select(g => (g.Key, Planned: g.Value, Now: Guard(snapshot, DnsName.Absolute(g.Address.Name))))
            .Where(g => g.Planned != g.Now)
            .Select(g => $"{g.Key} changed since the plan (serial {g.Planned}, now {g.Now})")];
    }

    public Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken) =>
        PushZoneAsync(change, context, cancellationToken);

    /// <summary>
    /// Applies a zone change: renders the zone from the inventory as it is now and pushes it
    /// (idempotent), from the desired state of the commit the change was planned from when it has one.
    /// When that differs from what the plan showed (installs replaced, a machine changed since), the
    /// result carries a note saying so. A failed push is retried; giving up replaces nothing.
    /// </summary>
    private async Task<ChangeResult> PushZoneAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken)
    {
        var zoneName = change.Parameters.GetValueOrDefault("zone");
        var clock = context.Clock;
        try
        {
            var (desired, templates) = DesiredFor(context.Commit);
            var machines = await options.Inventory.ListMachinesAsync(null, cancellationToken);
            var zone = ZoneGenerator.Generate(desired, machines, templates).ZonesOrThrow().FirstOrDefault(z => z.Name == zoneName);
            if (zone is null)
            {
                return ChangeResult.Failed($"zone {zoneName} is no longer generated by the desired state");
            }

            if (desired.Fleet.Dns() is not { } dns)
            {
                return ChangeResult.Failed($"zone {zoneName}: the desired state has no dns section");
            }

            using var target = ZonePushTarget.Create(dns.Push, options.FleetDirectory, options.Environment, clock);
            var publisher = new ZonePublisher(target.Pusher, options.States, new ZoneRenderer(), clock);
            var outcome = await publisher.PushAsync(zone, change.Parameters.GetValueOrDefault("force") == "true", cancellationToken);
            var differsFromPlan = zone.ContentHash() != change.Parameters.GetValueOrDefault("contentHash");
            var differs = differsFromPlan
                ? $"; rendered from the inventory as it is now, which differs from the plan ({outcome.Diff})"
                : string.Empty;
            var details = new JsonObject
            {
                ["serial"] = outcome.Serial,
                ["added"] = outcome.Diff.Added.Length,
                ["removed"] = outcome.Diff.Removed.Length,
                ["changed"] = outcome.Diff.Changed.Length,
                ["differsFromPlan"] = differsFromPlan,
            };
            var result = outcome.Pushed
                ? new ChangeResult(ChangeStatus.Applied, $"zone {zoneName!.TrimEnd('.')} pushed with serial {outcome.Serial} ({outcome.Diff}){differs}", details)
                : new ChangeResult(ChangeStatus.AlreadyApplied, $"zone {zoneName!.TrimEnd('.')} is already served as generated{differs}", details);
            return differsFromPlan ? result with { Note = result.Message } : result;
        }
        catch (FleetException e)
        {
            return ChangeResult.Failed(string.Join("; ", e.Diagnostics.Select(d => d.Message)));
        }
    }

    private static PlannedChange Change(ZoneStatus status, DesiredState desired, bool force)
    {
        var zone = status.Zone;
        var diff = status.Diff;
        var parameters = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        parameters["zone"] = zone.Name;
        parameters["contentHash"] = status.ContentHash;
        if (force)
        {
            parameters["force"] = "true";
        }

        return new PlannedChange
        {
            Id = string.Empty,
            Address = Address(zone.Name),
            Provider = ProviderName,
            Action = status.IsNew ? DnsActions.ZoneCreate : DnsActions.ZonePush,
            Reason = status.IsNew ? "new zone" : status.Drift ? "drift" : "records",
            Site = zone.Kind == ZoneKind.Forward ? desired.Fleet.Sites.FirstOrDefault(s => DnsName.Absolute(s.Domain) == zone.Name)?.Name : null,
            Before = status.Served is { } served
                ? new JsonObject { ["serial"] = served.Serial, ["records"] = diff.BeforeCount }
                : null,
            After = new JsonObject
            {
                ["records"] = zone.Nameservers.Length + zone.Records.Length,
                ["added"] = diff.Added.Length,
                ["removed"] = diff.Removed.Length,
                ["changed"] = diff.Changed.Length,
                ["diff"] = new JsonArray([.. DiffLines(diff, zone.Name).Take(DiffLineCap).Select(l => (JsonNode)l)]),
            },
            Parameters = parameters.ToImmutable(),
        };
    }

    /// <summary>The record-level diff for review: <c>+ name ttl TYPE value</c>, <c>- …</c>, <c>~ old → new</c>, names relative to the zone.</summary>
    public static IEnumerable<string> DiffLines(ZoneDiff diff, string zone)
    {
        string Line(ZoneRecord r) => string.Create(CultureInfo.InvariantCulture, $"{DnsName.Relative(r.Name, zone)} {r.Ttl} {r.Type} {r.Value}");
        return diff.Removed.Select(r => "- " + Line(r))
            .Concat(diff.Changed.Select(c => $"~ {Line(c.Before)} -> {c.After.Ttl} {c.After.Value}"))
            .Concat(diff.Added.Select(r => "+ " + Line(r)));
    }

    private static string Address(string zone) => ResourceAddress.Zone(zone.TrimEnd('.')).ToString();

    private static string Guard(DnsSnapshot snapshot, string zone) =>
        snapshot.ServedKnown
            ? snapshot.Served.TryGetValue(zone, out var served) ? served.Serial.ToString(CultureInfo.InvariantCulture) : "absent"
            : snapshot.Last.TryGetValue(zone, out var last) ? last.Serial.ToString(CultureInfo.InvariantCulture) : "absent";

    /// <summary>The sites whose machines a zone publishes: the site of a forward domain, the sites whose networks derive a reverse zone.</summary>
    private static IEnumerable<string> SitesOf(ZoneData zone, DesiredState desired) =>
        desired.Fleet.Sites
            .Where(s => zone.Kind == ZoneKind.Forward
                ? DnsName.Absolute(s.Domain) == zone.Name
                : s.Networks.Any(n => ReverseZones.Cover(n).Zones.Contains(zone.Name)))
            .Select(s => s.Name);

    private ZoneTemplates LoadTemplates(DesiredState desired) => LoadTemplates(desired, options.Source);

    /// <summary>
    /// Every zone the desired state and <paramref name="machines"/> generate, with templates read from
    /// <paramref name="source"/>: the one generation that plan, apply and <c>fleetctl zones</c> share.
    /// Throws every problem at once.
    /// </summary>
    public static ImmutableArray<ZoneData> GenerateZones(DesiredState desired, IFleetSource source, IEnumerable<Machine> machines) =>
        ZoneGenerator.Generate(desired, machines, LoadTemplates(desired, source)).ZonesOrThrow();

    private static ZoneTemplates LoadTemplates(DesiredState desired, IFleetSource source)
    {
        var (templates, diagnostics) = ZoneTemplates.Load(desired, source);
        return diagnostics.Any(d => d.IsError) ? throw new FleetException(diagnostics) : templates;
    }

    /// <summary>
    /// The desired state a change is applied from: that of its commit (read once per process, unless
    /// this process already read that commit), or this process's own for a change planned from a working tree.
    /// </summary>
    private (DesiredState Desired, ZoneTemplates Templates) DesiredFor(string? commit)
    {
        if (commit is null || options.ReadCommit is not { } read || (options.Source is GitCommitSource own && own.Commit == commit))
        {
            return (options.Desired, LoadTemplates(options.Desired));
        }

        return commits.GetOrAdd(commit, c => new Lazy<(DesiredState, ZoneTemplates)>(() =>
        {
            var (desired, source) = read(c);
            try
            {
                return (desired, LoadTemplates(desired, source));
            }
            finally
            {
                (source as IDisposable)?.Dispose();
            }
        })).Value;
    }
}
