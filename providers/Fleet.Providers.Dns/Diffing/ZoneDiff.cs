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
        var old = new Dictionary<(string, string, string), ZoneRecord>();
        foreach (var record in before)
        {
            old.TryAdd(record.Key, record);
        }

        var beforeCount = old.Count;
        var changed = ImmutableArray.CreateBuilder<RecordChange>();
        var unmatched = new List<ZoneRecord>();
        foreach (var record in after)
        {
            if (old.Remove(record.Key, out var same))
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

        var added = ImmutableArray.CreateBuilder<ZoneRecord>();
        var removed = ImmutableArray.CreateBuilder<ZoneRecord>();
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

        var order = Comparer<ZoneRecord>.Create(ZoneRecord.Compare);
        added.Sort(order);
        removed.Sort(order);
        changed.Sort((x, y) => ZoneRecord.Compare(x.Before, y.Before));
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

    private static Dictionary<(string, string), List<ZoneRecord>> Group(IEnumerable<ZoneRecord> records)
    {
        var groups = new Dictionary<(string, string), List<ZoneRecord>>();
        foreach (var record in records)
        {
            var key = (record.Name, record.Type);
            if (!groups.TryGetValue(key, out var list))
            {
                list = new List<ZoneRecord>(1);
                groups.Add(key, list);
            }

            list.Add(record);
        }

        return groups;
    }
}
