using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Diffing;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// Where a zone stands: what is served (when the push method can read it), what fleetctl last pushed,
/// and the record diff from served to generated. <see cref="Drift"/> means the server differs although
/// the generated content did not change since the last push: someone edited the zone by hand.
/// </summary>
public sealed record ZoneStatus(ZoneData Zone, ServedZone? Served, ZoneState? Last, ZoneDiff Diff, string ContentHash, bool ServedKnown)
{
    public bool IsNew => ServedKnown ? Served is null : Last is null;

    public bool ContentChanged => Last?.ContentHash != ContentHash;

    public bool Drift => ServedKnown && Served is not null && !Diff.IsEmpty && !ContentChanged;

    public bool NeedsPush => IsNew || ContentChanged || (ServedKnown && !Diff.IsEmpty);
}

/// <summary>What a push did: whether anything was sent, the serial now set, and the diff it carried.</summary>
public sealed record PushOutcome(string Zone, bool Pushed, bool Created, uint Serial, ZoneDiff Diff);

/// <summary>
/// Validates, serials, renders and pushes zones through a push method. The order is the safety
/// contract: nothing reaches a server unless the zone passed structural validation, rendered, passed
/// <c>named-checkzone</c> (when installed) and the safety limit (or <c>--force</c>).
/// </summary>
public sealed class ZonePublisher(IZonePusher pusher, IZoneStateStore store, ZoneRenderer renderer, TimeProvider clock)
{
    public async Task<ZoneStatus> InspectAsync(ZoneData zone, CancellationToken cancellationToken)
    {
        var served = pusher.CanReadServed ? await pusher.ReadServedCheckedAsync(zone.Name, cancellationToken) : null;
        var last = await store.GetAsync(zone.Name, cancellationToken);
        var diff = ZoneDiff.Compute(served?.Records ?? [], zone.AllRecords());
        return new ZoneStatus(zone, served, last, diff, zone.ContentHash(), pusher.CanReadServed);
    }

    /// <summary>Pushes the zone when it needs it; throws a <see cref="FleetException"/> (nothing pushed) when it is invalid or unsafe.</summary>
    public async Task<PushOutcome> PushAsync(ZoneData zone, bool force, CancellationToken cancellationToken)
    {
        var errors = ZoneValidator.Validate(zone);
        if (!errors.IsEmpty)
        {
            throw new FleetException(errors);
        }

        var status = await InspectAsync(zone, cancellationToken);
        if (!status.NeedsPush)
        {
            return new PushOutcome(zone.Name, false, false, status.Served?.Serial ?? status.Last!.Serial, status.Diff);
        }

        if (!force && status.Diff.Unsafe(zone.Name, zone.MaxChangePercent) is { } unsafeReason)
        {
            throw new FleetException(zone.Location, unsafeReason);
        }

        var rendered = await RenderAsync(status, cancellationToken);

        uint serial;
        try
        {
            serial = await pusher.PushAsync(new ZonePushRequest(rendered.Zone, rendered.Text, status.Served, status.Diff), cancellationToken);
        }
        catch (DnsProtocolException e)
        {
            throw new FleetException($"zone {zone.Name.TrimEnd('.')}: push to the name server failed: {e.Message}");
        }

        await store.SetAsync(new ZoneState(zone.Name, serial, status.ContentHash, clock.GetUtcNow()), cancellationToken);
        return new PushOutcome(zone.Name, true, status.IsNew, serial, status.Diff);
    }

    /// <summary>
    /// The zone as a push would send it: validated, with the serial it would carry (the one it has
    /// when it needs no push, else the next <c>YYYYMMDDnn</c> after what was pushed and what is
    /// served), rendered, and passed by <c>named-checkzone</c> when installed. <c>fleetctl zones
    /// render</c> shows exactly this. Throws a <see cref="FleetException"/> with every problem.
    /// </summary>
    public async Task<RenderedZone> RenderAsync(ZoneStatus status, CancellationToken cancellationToken)
    {
        var zone = status.Zone;
        var errors = ZoneValidator.Validate(zone);
        if (!errors.IsEmpty)
        {
            throw new FleetException(errors);
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var serial = !status.NeedsPush && (status.Served?.Serial ?? status.Last?.Serial) is { } current
            ? current
            : SoaSerial.Next(today, status.Last?.Serial, status.Served?.Serial);
        var final = zone with { Serial = serial };
        var text = renderer.Render(final);
        if (await NamedCheckZone.CheckAsync(zone.Name, text, cancellationToken) is { Count: > 0 } problems)
        {
            throw new FleetException(problems.Select(p => Diagnostic.Error(zone.Template.Source == ZoneTemplates.DefaultSource ? zone.Location : SourceLocation.OfFile(zone.Template.Source),
                $"zone {zone.Name.TrimEnd('.')}: named-checkzone refused the rendered zone: {p}")));
        }

        return new RenderedZone(final, text);
    }
}

/// <summary>A zone with the serial a push would give it, and its text as rendered through its template.</summary>
public sealed record RenderedZone(ZoneData Zone, string Text);
