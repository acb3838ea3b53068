using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Validation;

/// <summary>
/// Checks a zone before anything renders or pushes it: structure (SOA, NS), names inside the zone,
/// canonical values, duplicates, conflicting PTRs, RRset TTLs and CNAME exclusivity. Each problem says
/// which zone, which record and where the record came from.
/// </summary>
public static class ZoneValidator
{
    public static ImmutableArray<Diagnostic> Validate(ZoneData zone)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();

        // One delegate for the whole zone, not one per record.
        Action<ZoneRecord?, string> report = (record, message) => diagnostics.Add(Diagnostic.Error(
            record?.Origin?.Location is { IsNone: false } at ? at : zone.Location,
            record is null ? $"zone {zone.Name}: {message}" : $"zone {zone.Name}: record '{Describe(record, zone)}'{From(record)}: {message}"));

        if (DnsName.CheckAbsolute(zone.Name) is { } zoneError)
        {
            report(null, zoneError);
        }

        if (zone.Nameservers.IsDefaultOrEmpty)
        {
            report(null, "has no NS records (dns.nameservers is empty)");
        }

        foreach (var name in new[] { zone.Soa.Mname, zone.Soa.Rname })
        {
            if (DnsName.CheckAbsolute(name) is { } soaError)
            {
                report(null, $"SOA: {soaError}");
            }
        }

        // Records are sorted, so the records of one name (a pool's round robin) are checked against one check of it.
        var group = new List<ZoneRecord>();
        string? nameProblem = null;
        foreach (var record in zone.AllRecords())
        {
            if (group.Count == 0 || group[0].Name != record.Name)
            {
                if (group.Count > 0)
                {
                    CheckName(group, zone, report);
                    group.Clear();
                }

                nameProblem = DnsName.CheckAbsolute(record.Name, allowWildcard: true)
                    ?? (DnsName.IsInZone(record.Name, zone.Name) ? null : "the name is outside the zone");
            }

            group.Add(record);
            CheckRecord(record, nameProblem, zone, report);
        }

        if (group.Count > 0)
        {
            CheckName(group, zone, report);
        }

        return diagnostics.ToImmutable();
    }

    private static void CheckRecord(ZoneRecord record, string? nameProblem, ZoneData zone, Action<ZoneRecord?, string> error)
    {
        if (nameProblem is not null)
        {
            error(record, nameProblem);
        }

        if (record.Ttl <= 0)
        {
            error(record, "the TTL must be positive");
        }

        var (canonical, valueError) = RecordData.Canonicalize(record.Type, Unquote(record), zone.Name);
        if (valueError is not null)
        {
            error(record, valueError);
        }
        else if (canonical != record.Value)
        {
            error(record, $"the value is not in canonical form (expected '{canonical}')");
        }
    }

    /// <summary>Checks all records of one owner name together.</summary>
    private static void CheckName(List<ZoneRecord> records, ZoneData zone, Action<ZoneRecord?, string> error)
    {
        if (records.Count == 1)
        {
            if (records[0].Type == RecordTypes.Cname && records[0].Name == zone.Name)
            {
                error(records[0], "a CNAME cannot be at the zone apex");
            }

            return;
        }

        var cname = records.FirstOrDefault(r => r.Type == RecordTypes.Cname);
        if (cname is not null)
        {
            if (cname.Name == zone.Name)
            {
                error(cname, "a CNAME cannot be at the zone apex");
            }

            foreach (var other in records.Where(r => !ReferenceEquals(r, cname)))
            {
                error(other, $"conflicts with the CNAME '{Describe(cname, zone)}'{From(cname)}: a CNAME must be the only record at its name");
            }
        }

        foreach (var set in records.GroupBy(r => r.Type))
        {
            var seen = new Dictionary<string, ZoneRecord>(StringComparer.Ordinal);
            foreach (var record in set)
            {
                if (!seen.TryAdd(record.Value, record))
                {
                    error(record, $"duplicates '{Describe(seen[record.Value], zone)}'{From(seen[record.Value])}");
                }
                else if (record.Ttl != set.First().Ttl)
                {
                    error(record, $"its TTL {record.Ttl} differs from {set.First().Ttl} of the other {set.Key} records at this name");
                }
            }

            if (set.Key == RecordTypes.Ptr && seen.Count > 1)
            {
                var first = set.First();
                foreach (var other in set.Skip(1).Where(r => r.Value != first.Value))
                {
                    error(other, $"conflicts with '{Describe(first, zone)}'{From(first)}: an address has one PTR (two machines share an IP?)");
                }
            }
        }
    }

    /// <summary>TXT values are stored quoted; canonicalization takes the text. Other types pass as they are.</summary>
    private static string Unquote(ZoneRecord record)
    {
        if (record.Type != RecordTypes.Txt || record.Value.Length < 2)
        {
            return record.Value;
        }

        var text = new System.Text.StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < record.Value.Length; i++)
        {
            var c = record.Value[i];
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == '\\' && inQuotes && i + 1 < record.Value.Length)
            {
                text.Append(record.Value[++i]);
            }
            else if (inQuotes)
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static string Describe(ZoneRecord record, ZoneData zone) =>
        $"{DnsName.Relative(record.Name, zone.Name)} {record.Type} {record.Value}";

    private static string From(ZoneRecord record) => record.Origin is { } origin ? $" (from {origin.Description})" : string.Empty;
}
