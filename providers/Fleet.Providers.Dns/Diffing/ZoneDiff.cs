using System.Collections.Immutable;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Diffing;

/// <summary>One record whose data or TTL changed at the same name and type.</summary>
public sealed record RecordChange(ZoneRecord Before, ZoneRecord After);

/// <summary>
/// The record-level difference between what is served (or was last pushed) and what is generated.
/// Within one name and type, records with equal data are kept (a TTL difference is a change), and the
/// rest pair up as changes before the remainder count as removed or added, so a machine that moves
/// to a new address is one change, not a deletion and an addition.
/// </summary>
public sealed record ZoneDiff(
    int BeforeCount,
    ImmutableArray<ZoneRecord> Added,
    ImmutableArray<ZoneRecord> Removed,
    ImmutableArray<RecordChange> Changed)
{
    public bool IsEmpty => Added.IsEmpty && Removed.IsEmpty && Changed.IsEmpty;

    public static ZoneDiff Compute(IEnumerable<ZoneRecord> before, IEnumerable<ZoneRecord> after)
    {
        // Most records are unchanged: match them on their full identity first, then pair what is left by name and type.
        var old = new Dictionary<ZoneRecord, ZoneRecord>(RecordIdentity.Instance);
        foreach (var record in before)
        {
            old.TryAdd(record, record);
        }

        var beforeCount = old.Count;
        var changed = ImmutableArray.CreateBuilder<RecordChange>();
        var added = ImmutableArray.CreateBuilder<ZoneRecord>();
        var removed = ImmutableArray.CreateBuilder<ZoneRecord>();
        if (beforeCount == 0)
        {
            // A new zone: everything is added, in the order given.
            added.AddRange(after);
            SortIfNeeded(added, ZoneRecord.Compare);
            return new ZoneDiff(0, added.ToImmutable(), [], []);
        }

        var unmatched = new List<ZoneRecord>();
        foreach (var record in after)
        {
            if (old.Count > 0 && old.Remove(record, out var same))
            {
                if (same.Ttl != record.Ttl)
                {
                    changed.Add(new RecordChange(same, record));
                }
            }
            else
            {
                unmatched.Add(record);
            }
        }

        if (old.Count == 0)
        {
            // Nothing left to pair with (a new zone, or records only added): the rest is added as it is.
            added.AddRange(unmatched);
        }
        else
        {
            var gone = Group(old.Values);
            foreach (var (key, now) in Group(unmatched))
            {
                if (!gone.Remove(key, out var was))
                {
                    added.AddRange(now);
                    continue;
                }

                was.Sort(ZoneRecord.Compare);
                now.Sort(ZoneRecord.Compare);
                var pairs = Math.Min(was.Count, now.Count);
                for (var i = 0; i < pairs; i++)
                {
                    changed.Add(new RecordChange(was[i], now[i]));
                }

                removed.AddRange(was.Skip(pairs));
                added.AddRange(now.Skip(pairs));
            }

            foreach (var rest in gone.Values)
            {
                removed.AddRange(rest);
            }
        }

        SortIfNeeded(added, ZoneRecord.Compare);
        SortIfNeeded(removed, ZoneRecord.Compare);
        SortIfNeeded(changed, (x, y) => ZoneRecord.Compare(x.Before, y.Before));
        return new ZoneDiff(beforeCount, added.ToImmutable(), removed.ToImmutable(), changed.ToImmutable());
    }

    /// <summary>
    /// Why the diff is unsafe to push without <c>--force</c>, or null: more than
    /// <paramref name="maxChangePercent"/> of a zone of 10+ records deleted or changed.
    /// </summary>
    public string? Unsafe(string zone, int maxChangePercent)
    {
        const int MinimumRecords = 10;
        var touched = Removed.Length + Changed.Length;
        if (BeforeCount < MinimumRecords || touched * 100L <= (long)maxChangePercent * BeforeCount)
        {
            return null;
        }

        return $"zone {zone.TrimEnd('.')}: the push would delete or change {touched} of {BeforeCount} records ({touched * 100.0 / BeforeCount:0.#}%), " +
               $"more than the {maxChangePercent}% allowed; review it and rerun with --force, or set maxChangePercent in the zone's Zone document";
    }

    public override string ToString() => $"+{Added.Length} -{Removed.Length} ~{Changed.Length}";

    /// <summary>
    /// Generated zones list their records in canonical order already, so the diff usually comes out
    /// sorted: one linear check spares the sort and its name comparisons.
    /// </summary>
    private static void SortIfNeeded<T>(ImmutableArray<T>.Builder items, Comparison<T> compare)
    {
        for (var i = 1; i < items.Count; i++)
        {
            if (compare(items[i - 1], items[i]) > 0)
            {
                items.Sort(Comparer<T>.Create(compare));
                return;
            }
        }
    }

    /// <summary>Records grouped by name and type (the RRsets), in order of first appearance.</summary>
    private static Dictionary<ZoneRecord, List<ZoneRecord>> Group(IEnumerable<ZoneRecord> records)
    {
        var groups = new Dictionary<ZoneRecord, List<ZoneRecord>>(RecordSet.Instance);
        foreach (var record in records)
        {
            if (!groups.TryGetValue(record, out var list))
            {
                list = new List<ZoneRecord>(1);
                groups.Add(record, list);
            }

            list.Add(record);
        }

        return groups;
    }

    /// <summary>Equal when name, type and data are: the TTL may change, the record stays the same.</summary>
    private sealed class RecordIdentity : IEqualityComparer<ZoneRecord>
    {
        public static readonly RecordIdentity Instance = new();

        public bool Equals(ZoneRecord? x, ZoneRecord? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.Name == y.Name && x.Type == y.Type && x.Value == y.Value);

        public int GetHashCode(ZoneRecord record) => HashCode.Combine(record.Name, record.Type, record.Value);
    }

    /// <summary>Equal when name and type are: members of one RRset.</summary>
    private sealed class RecordSet : IEqualityComparer<ZoneRecord>
    {
        public static readonly RecordSet Instance = new();

        public bool Equals(ZoneRecord? x, ZoneRecord? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.Name == y.Name && x.Type == y.Type);

        public int GetHashCode(ZoneRecord record) => HashCode.Combine(record.Name, record.Type);
    }
}
