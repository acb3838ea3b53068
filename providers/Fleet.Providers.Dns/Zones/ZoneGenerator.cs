using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;
using Fleet.Engine.Validation;
using Fleet.Providers.Dns.Rendering;

namespace Fleet.Providers.Dns.Zones;

/// <summary>The zones of a fleet and every problem found while deriving them.</summary>
public sealed record ZoneGeneration(ImmutableArray<ZoneData> Zones, ImmutableArray<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The zones, or a <see cref="FleetException"/> with every error at once.</summary>
    public ImmutableArray<ZoneData> ZonesOrThrow() =>
        HasErrors ? throw new FleetException(Diagnostics.Where(d => d.IsError)) : Zones;
}

/// <summary>
/// Derives zone data from the desired state and the inventory; a pure function. Forward zone per site
/// domain: A/AAAA per hostname, <c>&lt;pool&gt;.&lt;domain&gt;</c> round-robin of in_use machines, role
/// SRV records; reverse zones covering site networks with PTRs; apex NS and SOA from <c>dns</c>;
/// static records from Zone documents.
/// </summary>
public static class ZoneGenerator
{
    /// <summary>Where records generated from machines come from, for messages.</summary>
    private static readonly SourceLocation InventoryLocation = SourceLocation.OfFile(InventorySource);

    /// <summary>What machines read from the inventory (at apply, and by <c>fleetctl zones</c>) are said to come from.</summary>
    private const string InventorySource = "inventory";

    /// <summary>The zones of the desired state with the records of inventory machines as they are now.</summary>
    public static ZoneGeneration Generate(DesiredState desired, IEnumerable<Machine> machines, ZoneTemplates templates) =>
        GenerateFrom(desired, machines.Select(m => ProjectedMachine.Of(m, InventorySource)), templates);

    /// <summary>The zones of the desired state with the records of <paramref name="machines"/>, whichever provider makes them.</summary>
    public static ZoneGeneration GenerateFrom(DesiredState desired, IEnumerable<ProjectedMachine> machines, ZoneTemplates templates)
    {
        var dns = desired.Fleet.Dns();
        if (dns is null)
        {
            return new ZoneGeneration([], []);
        }

        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var nameservers = CheckNameservers(dns, diagnostics);
        if (dns.Ttl <= 0)
        {
            diagnostics.Add(Diagnostic.Error(dns.Locations.Of("ttl"), $"dns.ttl must be positive, not {dns.Ttl}"));
        }

        var zones = new Dictionary<string, ZoneBuilder>(StringComparer.Ordinal);
        var forwardBySite = new Dictionary<string, ZoneBuilder>(StringComparer.Ordinal);
        foreach (var site in desired.Fleet.Sites)
        {
            var domain = DnsName.Absolute(site.Domain);
            if (DnsName.CheckAbsolute(domain) is { } error)
            {
                diagnostics.Add(Diagnostic.Error(site.Locations.Of("domain"), $"site {site.Name}: domain {error}"));
                continue;
            }

            forwardBySite[site.Name] = GetOrAdd(zones, domain, ZoneKind.Forward, site.Locations.Of("domain"));
            foreach (var network in site.Networks)
            {
                var (covering, coverError) = ReverseZones.Cover(network);
                if (coverError is not null)
                {
                    diagnostics.Add(Diagnostic.Error(site.Locations.Of("networks"), $"site {site.Name}: {coverError}"));
                }

                foreach (var reverse in covering)
                {
                    GetOrAdd(zones, reverse, ZoneKind.Reverse, site.Locations.Of("networks"));
                }
            }
        }

        var srvByRole = desired.Roles.Where(r => r.Dns() is { Srv.IsDefaultOrEmpty: false })
            .ToDictionary(r => r.Name, r => r.Dns()!.Srv, StringComparer.Ordinal);
        foreach (var machine in machines)
        {
            if (machine.Hostname is null || machine.Site is not { } site || !forwardBySite.TryGetValue(site, out var forward))
            {
                continue;
            }

            AddMachine(machine, forward, zones, srvByRole, dns.Ttl, diagnostics);
        }

        foreach (var spec in desired.Zones)
        {
            var name = DnsName.Absolute(spec.Name);
            if (!zones.TryGetValue(name, out var zone))
            {
                diagnostics.Add(Diagnostic.Error(spec.Locations.Of("name"),
                    $"zone {spec.Name} is not managed by fleetctl: no site has it as its domain or derives it from its networks"));
                continue;
            }

            zone.Spec = spec;
            foreach (var record in spec.Records)
            {
                AddStatic(zone, record, spec, dns.Ttl, diagnostics);
            }
        }

        var built = zones.Values
            .OrderBy(z => z.Kind).ThenBy(z => z.Name, Comparer<string>.Create(DnsName.Compare))
            .Select(z => z.Build(dns, nameservers, templates, diagnostics))
            .ToImmutableArray();
        return new ZoneGeneration(built, diagnostics.ToImmutable());
    }

    private static ImmutableArray<string> CheckNameservers(DnsSpec dns, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        if (dns.Nameservers.IsDefaultOrEmpty)
        {
            diagnostics.Add(Diagnostic.Error(dns.Locations.Of("nameservers"), "dns.nameservers needs at least one name server"));
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var ns in dns.Nameservers)
        {
            var absolute = DnsName.Absolute(ns);
            if (DnsName.CheckAbsolute(absolute) is { } error)
            {
                diagnostics.Add(Diagnostic.Error(dns.Locations.Of("nameservers"), $"dns.nameservers: {error}"));
            }
            else if (!result.Contains(absolute))
            {
                result.Add(absolute);
            }
        }

        return result.ToImmutable();
    }

    private static ZoneBuilder GetOrAdd(Dictionary<string, ZoneBuilder> zones, string name, ZoneKind kind, SourceLocation location)
    {
        if (!zones.TryGetValue(name, out var zone))
        {
            zone = new ZoneBuilder(name, kind, location);
            zones.Add(name, zone);
        }

        return zone;
    }

    private static void AddMachine(
        ProjectedMachine machine,
        ZoneBuilder forward,
        Dictionary<string, ZoneBuilder> zones,
        Dictionary<string, ImmutableArray<SrvSpec>> srvByRole,
        int ttl,
        ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var fqdn = DnsName.Qualify(machine.Hostname!, forward.Name);
        var nameError = DnsName.CheckAbsolute(fqdn) ?? (DnsName.IsInZone(fqdn, forward.Name) ? null : "is outside " + forward.Name);
        if (nameError is not null)
        {
            diagnostics.Add(Diagnostic.Error(InventoryLocation, $"machine {machine.Id}: hostname {nameError}"));
            return;
        }

        if (machine.Address is not { } ip)
        {
            return;
        }

        if (AddressRecord(ip) is not { } address)
        {
            diagnostics.Add(Diagnostic.Error(InventoryLocation, $"machine {machine.Id}: '{ip}' is not an IP address"));
            return;
        }

        var (type, value, ptrName) = address;

        var origin = new RecordOrigin("machine " + machine.Id, InventoryLocation);
        forward.Records.Add(new ZoneRecord(fqdn, type, ttl, value) { Origin = origin });
        if (FindReverseZone(ptrName, zones) is { } reverse)
        {
            reverse.Records.Add(new ZoneRecord(ptrName, RecordTypes.Ptr, ttl, fqdn) { Origin = origin });
        }

        if (machine.State != MachineState.InUse)
        {
            return;
        }

        if (machine.Pool is { } pool && forward.PoolName(pool) is { } poolName)
        {
            forward.Records.Add(new ZoneRecord(poolName.Name, type, ttl, value) { Origin = poolName.Origin });
        }

        if (machine.Role is { } role && srvByRole.TryGetValue(role, out var services))
        {
            foreach (var srv in services)
            {
                var owner = DnsName.Qualify(srv.Service, forward.Name);
                var data = $"{srv.Priority} {srv.Weight} {srv.Port} {fqdn}";
                if (DnsName.CheckAbsolute(owner) is { } srvError)
                {
                    diagnostics.Add(Diagnostic.Error(srv.Location, $"role {role}: SRV service {srvError}"));
                    continue;
                }

                forward.Records.Add(new ZoneRecord(owner, RecordTypes.Srv, ttl, data) { Origin = new RecordOrigin($"role {role}", srv.Location) });
            }
        }
    }

    /// <summary>
    /// The address record type, canonical value and PTR owner of a machine's IP, or null when it is not
    /// an address. Dotted-quad IPv4 (the common case) is taken as written, without parsing to bytes and back.
    /// </summary>
    private static (string Type, string Value, string PtrName)? AddressRecord(string ip)
    {
        if (IpText.IsIPv4(ip))
        {
            var first = ip.IndexOf('.', StringComparison.Ordinal);
            var second = ip.IndexOf('.', first + 1);
            var third = ip.IndexOf('.', second + 1);
            var span = ip.AsSpan();
            return (RecordTypes.A, ip, $"{span[(third + 1)..]}.{span[(second + 1)..third]}.{span[(first + 1)..second]}.{span[..first]}.in-addr.arpa.");
        }

        return IPAddress.TryParse(ip, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? (RecordTypes.Aaaa, address.ToString(), ReverseZones.PtrName(address))
            : null;
    }

    /// <summary>The most specific managed reverse zone containing the PTR name.</summary>
    private static ZoneBuilder? FindReverseZone(string ptrName, Dictionary<string, ZoneBuilder> zones)
    {
        var lookup = zones.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var dot = ptrName.IndexOf('.', StringComparison.Ordinal); dot >= 0 && dot < ptrName.Length - 1; dot = ptrName.IndexOf('.', dot + 1))
        {
            if (lookup.TryGetValue(ptrName.AsSpan(dot + 1), out var zone) && zone.Kind == ZoneKind.Reverse)
            {
                return zone;
            }
        }

        return null;
    }

    private static void AddStatic(ZoneBuilder zone, ZoneRecordSpec record, ZoneSpec spec, int ttl, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var type = record.Type.Trim().ToUpperInvariant();
        var name = DnsName.Qualify(record.Name, zone.Name);
        var prefix = $"zone {spec.Name}: record '{record.Name} {type}'";
        if (DnsName.CheckAbsolute(name, allowWildcard: true) is { } nameError)
        {
            diagnostics.Add(Diagnostic.Error(record.Location, $"{prefix}: name {nameError}"));
            return;
        }

        if (!DnsName.IsInZone(name, zone.Name))
        {
            diagnostics.Add(Diagnostic.Error(record.Location, $"{prefix}: {name} is outside the zone"));
            return;
        }

        if (record.Ttl is <= 0)
        {
            diagnostics.Add(Diagnostic.Error(record.Location, $"{prefix}: ttl must be positive"));
            return;
        }

        var (value, valueError) = RecordData.Canonicalize(type, record.Value, zone.Name);
        if (valueError is not null)
        {
            diagnostics.Add(Diagnostic.Error(record.Location, $"{prefix}: {valueError}"));
            return;
        }

        zone.Records.Add(new ZoneRecord(name, type, record.Ttl ?? ttl, value!) { Origin = new RecordOrigin($"Zone {spec.Name}", record.Location) });
    }

    /// <summary>The SOA mailbox: <c>hostmaster</c> in the domain of the primary name server.</summary>
    private static string Hostmaster(string mname)
    {
        var dot = mname.IndexOf('.', StringComparison.Ordinal);
        return dot >= 0 && dot < mname.Length - 1 ? "hostmaster." + mname[(dot + 1)..] : "hostmaster.";
    }

    private sealed class ZoneBuilder(string name, ZoneKind kind, SourceLocation location)
    {
        public string Name { get; } = name;

        public ZoneKind Kind { get; } = kind;

        public List<ZoneRecord> Records { get; } = [];

        public ZoneSpec? Spec { get; set; }

        /// <summary>Pool round-robin names by pool, each qualified and checked once (null: not a valid name).</summary>
        private readonly Dictionary<string, (string Name, RecordOrigin Origin)?> pools = new(StringComparer.Ordinal);

        /// <summary>The owner of a pool's round-robin records in this zone, or null when the pool's name makes no valid name here.</summary>
        public (string Name, RecordOrigin Origin)? PoolName(string pool)
        {
            if (!pools.TryGetValue(pool, out var entry))
            {
                var name = DnsName.Qualify(pool, Name);
                entry = DnsName.CheckAbsolute(name) is null ? (name, new RecordOrigin($"pool {pool}", InventoryLocation)) : null;
                pools.Add(pool, entry);
            }

            return entry;
        }

        public ZoneData Build(DnsSpec dns, ImmutableArray<string> nameservers, ZoneTemplates templates, ImmutableArray<Diagnostic>.Builder diagnostics)
        {
            ZoneRecord.Sort(Records, Name);
            var maxChange = Spec?.MaxChangePercent ?? ZoneData.DefaultMaxChangePercent;
            if (maxChange is < 0 or > 100)
            {
                diagnostics.Add(Diagnostic.Error(Spec!.Locations.Of("maxChangePercent"), $"zone {Spec.Name}: maxChangePercent must be from 0 to 100"));
            }

            var mname = nameservers.IsDefaultOrEmpty ? Name : nameservers[0];
            var soa = new SoaFields(mname, Hostmaster(mname), SoaFields.DefaultRefresh, SoaFields.DefaultRetry, SoaFields.DefaultExpire, dns.Ttl);
            var template = templates.For(Spec);
            return new ZoneData(Name, Kind, dns.Ttl, soa, nameservers, [.. Records], 0, template, maxChange, Spec?.Locations.Document ?? location);
        }
    }
}
