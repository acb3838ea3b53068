using Fleet.Engine.Diagnostics;

namespace Fleet.Providers.Dns.Zones;

/// <summary>
/// One resource record. <see cref="Name"/> is absolute and lowercase; <see cref="Value"/> is the
/// canonical presentation form of the data (what <see cref="RecordData.Canonicalize"/> returns and what
/// the wire decoder produces), so generated records and records read back from a server compare equal.
/// </summary>
public sealed record ZoneRecord(string Name, string Type, int Ttl, string Value)
{
    /// <summary>Where the record came from, for messages; never part of the zone's content.</summary>
    public RecordOrigin? Origin { get; init; }

    public override string ToString() => $"{Name} {Ttl} {Type} {Value}";

    /// <summary>
    /// Sorts records in <see cref="Compare"/> order through precomputed keys: one string per record whose
    /// ordinal order is the canonical one, so large zones sort without parsing names at every comparison.
    /// </summary>
    public static void Sort(List<ZoneRecord> records)
    {
        var keys = new string[records.Count];
        var builder = new System.Text.StringBuilder(256);
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SortKey(records[i], builder.Clear());
        }

        var items = records.ToArray();
        Array.Sort(keys, items, StringComparer.Ordinal);
        records.Clear();
        records.AddRange(items);
    }

    /// <summary>
    /// Labels from the right separated by U+0001, all-digit labels left-padded so they order numerically,
    /// then U+0000, the type's order, the value and the TTL: ordinal order of keys equals <see cref="Compare"/>.
    /// </summary>
    private static string SortKey(ZoneRecord record, System.Text.StringBuilder sb)
    {
        var name = record.Name.AsSpan().TrimEnd('.');
        while (!name.IsEmpty)
        {
            var dot = name.LastIndexOf('.');
            var label = name[(dot + 1)..];
            if (!label.ContainsAnyExceptInRange('0', '9'))
            {
                sb.Append('0', Math.Max(0, 10 - label.Length));
            }

            sb.Append(label).Append('\u0001');
            name = dot < 0 ? [] : name[..dot];
        }

        return sb.Append('\u0000').Append((char)('A' + RecordTypes.Order(record.Type) % 26)).Append(record.Value)
            .Append('\u0000').Append(System.Globalization.CultureInfo.InvariantCulture, $"{record.Ttl:D10}").ToString();
    }

    /// <summary>Orders records as zone files list them: by name canonically, then type, then value.</summary>
    public static int Compare(ZoneRecord? x, ZoneRecord? y)
    {
        if (x is null || y is null)
        {
            return (x is null).CompareTo(y is null);
        }

        var c = DnsName.Compare(x.Name, y.Name);
        if (c == 0)
        {
            c = RecordTypes.Order(x.Type).CompareTo(RecordTypes.Order(y.Type));
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(x.Value, y.Value);
        }

        return c == 0 ? x.Ttl.CompareTo(y.Ttl) : c;
    }
}

/// <summary>What produced a record (a machine, a pool, a role's SRV, a Zone document) and where it was written.</summary>
public sealed record RecordOrigin(string Description, SourceLocation Location)
{
    public override string ToString() => Location.IsNone ? Description : $"{Description} ({Location})";
}
