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

    /// <summary>Sorts records in <see cref="Compare"/> order (see <see cref="Sort(List{ZoneRecord}, string)"/>).</summary>
    public static void Sort(List<ZoneRecord> records) => Sort(records, ".");

    /// <summary>
    /// Sorts records in <see cref="Compare"/> order through precomputed keys: per record one key whose
    /// ordinal order is the canonical order of names and types, then the value and the TTL, so large
    /// zones sort without parsing names at every comparison. When every name lies in
    /// <paramref name="origin"/>, the origin's labels (the same in every key) are left out of the keys.
    /// The keys are written one after another into one array, not a string per record.
    /// </summary>
    public static void Sort(List<ZoneRecord> records, string origin)
    {
        var shared = origin == "." ? 0 : origin.Length;
        foreach (var record in records)
        {
            if (!DnsName.IsInZone(record.Name, origin))
            {
                shared = 0;
                break;
            }
        }

        var total = 0;
        foreach (var record in records)
        {
            total += WriteKey(record, shared, []);
        }

        var keys = new char[total];
        var used = 0;
        var entries = new SortEntry[records.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var length = WriteKey(records[i], shared, keys.AsSpan(used));
            entries[i] = new SortEntry(used, length, records[i], i);
            used += length;
        }

        entries.AsSpan().Sort(new SortEntryOrder(keys));
        for (var i = 0; i < entries.Length; i++)
        {
            records[i] = entries[i].Record;
        }
    }

    /// <summary>All-digit labels are left-padded to this many characters, so they order numerically.</summary>
    private const int DigitsWidth = 10;

    /// <summary>
    /// The labels of the name from the right (without the <paramref name="shared"/> trailing characters
    /// of the origin), each followed by U+0001, all-digit labels left-padded so they order numerically,
    /// then U+0000 and the type's order: ordinal order of keys is the canonical order of names, then types.
    /// Returns the key's length; with an empty <paramref name="buffer"/> it only counts.
    /// </summary>
    private static int WriteKey(ZoneRecord record, int shared, Span<char> buffer)
    {
        var write = !buffer.IsEmpty;
        var name = shared == 0
            ? record.Name.AsSpan().TrimEnd('.')
            : record.Name.Length == shared ? [] : record.Name.AsSpan(0, record.Name.Length - shared - 1);
        var at = 0;
        for (var rest = name; !rest.IsEmpty;)
        {
            var dot = rest.LastIndexOf('.');
            var label = rest[(dot + 1)..];
            var padding = label.Length < DigitsWidth && IsDigits(label) ? DigitsWidth - label.Length : 0;
            if (write)
            {
                buffer.Slice(at, padding).Fill('0');
                label.CopyTo(buffer[(at + padding)..]);
                buffer[at + padding + label.Length] = '\u0001';
            }

            at += padding + label.Length + 1;
            rest = dot < 0 ? [] : rest[..dot];
        }

        if (write)
        {
            buffer[at] = '\u0000';
            buffer[at + 1] = (char)('A' + (RecordTypes.Order(record.Type) % 26));
        }

        return at + 2;
    }

    /// <summary>A record and where its key lies in the keys array.</summary>
    private readonly record struct SortEntry(int Start, int Length, ZoneRecord Record, int Index);

    /// <summary>Key, then value, then TTL (negative ones first, as their formatted text orders), then the original position.</summary>
    private readonly struct SortEntryOrder(char[] keys) : IComparer<SortEntry>
    {
        public int Compare(SortEntry x, SortEntry y)
        {
            var c = keys.AsSpan(x.Start, x.Length).SequenceCompareTo(keys.AsSpan(y.Start, y.Length));
            if (c == 0)
            {
                c = string.CompareOrdinal(x.Record.Value, y.Record.Value);
            }

            if (c == 0)
            {
                c = TtlOrder(x.Record.Ttl).CompareTo(TtlOrder(y.Record.Ttl));
            }

            return c == 0 ? x.Index.CompareTo(y.Index) : c;
        }

        private static long TtlOrder(int ttl) => ttl >= 0 ? (1L << 32) + ttl : -(long)ttl;
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

        var c = x.Name == y.Name ? 0 : DnsName.Compare(x.Name, y.Name);
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
