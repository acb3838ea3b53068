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
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = SortKey(records[i]);
        }

        var items = records.ToArray();
        Array.Sort(keys, items, StringComparer.Ordinal);
        records.Clear();
        records.AddRange(items);
    }

    /// <summary>All-digit labels are left-padded to this many characters, so they order numerically.</summary>
    private const int DigitsWidth = 10;

    /// <summary>
    /// Labels from the right separated by U+0001, all-digit labels left-padded so they order numerically,
    /// then U+0000, the type's order, the value and the TTL: ordinal order of keys equals <see cref="Compare"/>.
    /// Written straight into the key's string, with its length counted first.
    /// </summary>
    private static string SortKey(ZoneRecord record)
    {
        Span<char> ttl = stackalloc char[16];
        record.Ttl.TryFormat(ttl, out var ttlLength, "D10", System.Globalization.CultureInfo.InvariantCulture);
        var length = 0;
        var name = record.Name.AsSpan().TrimEnd('.');
        for (var rest = name; !rest.IsEmpty;)
        {
            var dot = rest.LastIndexOf('.');
            var label = rest[(dot + 1)..];
            length += (IsDigits(label) ? Math.Max(label.Length, DigitsWidth) : label.Length) + 1;
            rest = dot < 0 ? [] : rest[..dot];
        }

        length += 2 + record.Value.Length + 1 + ttlLength;
        return string.Create(length, (record, ttlLength), static (key, state) =>
        {
            var (record, ttlLength) = state;
            var at = 0;
            for (var rest = record.Name.AsSpan().TrimEnd('.'); !rest.IsEmpty;)
            {
                var dot = rest.LastIndexOf('.');
                var label = rest[(dot + 1)..];
                if (IsDigits(label) && label.Length < DigitsWidth)
                {
                    key.Slice(at, DigitsWidth - label.Length).Fill('0');
                    at += DigitsWidth - label.Length;
                }

                label.CopyTo(key[at..]);
                at += label.Length;
                key[at++] = '\u0001';
                rest = dot < 0 ? [] : rest[..dot];
            }

            key[at++] = '\u0000';
            key[at++] = (char)('A' + (RecordTypes.Order(record.Type) % 26));
            record.Value.AsSpan().CopyTo(key[at..]);
            at += record.Value.Length;
            key[at++] = '\u0000';
            record.Ttl.TryFormat(key[at..], out _, "D10", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>Whether a label is all digits (an empty label counts, as it pads the same way).</summary>
    private static bool IsDigits(ReadOnlySpan<char> label) => !label.ContainsAnyExceptInRange('0', '9');

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
