using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Model;

namespace Fleet.Engine.GitOps;

public enum DocumentChangeKind
{
    Added,
    Removed,
    Modified,
}

/// <summary>One field that differs between the base and the head: <c>size 8 → 10</c>. Null means absent.</summary>
public sealed record FieldChange(string Field, string? Before, string? After);

/// <summary>A document (<c>pool/fancydb-lon</c>, <c>role/fancydb</c>, <c>site/lon</c>…) added, removed or modified.</summary>
public sealed record DocumentChange(string Address, DocumentChangeKind Kind, ImmutableArray<FieldChange> Fields);

/// <summary>
/// What a pull request changes in the desired state, document by document and field by field.
/// A pure function of two loaded states; ordering is deterministic (by address, then field).
/// </summary>
public static class DesiredStateDiff
{
    public static ImmutableArray<DocumentChange> Compare(DesiredState before, DesiredState after)
    {
        var old = Flatten(before);
        var @new = Flatten(after);
        var changes = new List<DocumentChange>();
        foreach (var address in old.Keys.Union(@new.Keys).Order(StringComparer.Ordinal))
        {
            var hadBefore = old.TryGetValue(address, out var beforeFields);
            var hasAfter = @new.TryGetValue(address, out var afterFields);
            beforeFields ??= [];
            afterFields ??= [];
            var fields = beforeFields.Keys.Union(afterFields.Keys)
                .Order(StringComparer.Ordinal)
                .Select(f => new FieldChange(f, beforeFields.GetValueOrDefault(f), afterFields.GetValueOrDefault(f)))
                .Where(f => f.Before != f.After)
                .ToImmutableArray();
            if (!hadBefore)
            {
                changes.Add(new DocumentChange(address, DocumentChangeKind.Added, fields));
            }
            else if (!hasAfter)
            {
                changes.Add(new DocumentChange(address, DocumentChangeKind.Removed, fields));
            }
            else if (!fields.IsEmpty)
            {
                changes.Add(new DocumentChange(address, DocumentChangeKind.Modified, fields));
            }
        }

        return [.. changes];
    }

    /// <summary>Every document as address → (field → value), values in their YAML spelling.</summary>
    private static Dictionary<string, Dictionary<string, string>> Flatten(DesiredState state)
    {
        var documents = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        void Add(string address, params (string Field, object? Value)[] fields) =>
            documents[address] = fields
                .Where(f => f.Value is not null)
                .ToDictionary(f => f.Field, f => Spell(f.Value!), StringComparer.Ordinal);

        var fleet = state.Fleet;
        Add("fleet/" + fleet.Name, [("inventory", fleet.Inventory), ("safety.maxRecyclePercent", fleet.Safety.MaxRecyclePercent), .. Fields(fleet.Sections)]);
        foreach (var site in fleet.Sites)
        {
            Add("site/" + site.Name, [("domain", site.Domain), ("networks", site.Networks), .. Fields(site.Fields)]);
        }

        foreach (var hardware in fleet.Hardware)
        {
            Add("hardware/" + hardware.Name);
        }

        foreach (var role in state.Roles)
        {
            Add("role/" + role.Name, [("owner", role.Owner), ("image", role.Image), .. Fields(role.Fields)]);
        }

        foreach (var pool in state.Pools)
        {
            Add("pool/" + pool.Name, [("role", pool.Role), ("backend", pool.Backend), .. pool.Config.Describe(), ("size", pool.Size), ("protect", pool.Protect)]);
        }

        foreach (var zone in state.Zones)
        {
            Add(
                "zone/" + zone.Name,
                [.. zone.Records
                    .Select(r => (Field: $"record {r.Name} {r.Type}", Value: (object?)(r.Ttl is { } ttl ? $"{r.Value} (ttl {ttl})" : r.Value)))
                    .GroupBy(r => r.Field)
                    .Select(g => (g.Key, (object?)string.Join(", ", g.Select(r => (string)r.Value!).Order(StringComparer.Ordinal))))]);
        }

        return documents;
    }

    /// <summary>The values of provider fields, each under its field's name (<c>gcp.project</c>).</summary>
    private static IEnumerable<(string Field, object? Value)> Fields(ProviderConfigs configs) =>
        configs.ByName.SelectMany(c => c.Value.Describe().Select(f => (Field: $"{c.Key}.{f.Field}", f.Value)));

    private static string Spell(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        ImmutableArray<string> list => "[" + string.Join(", ", list) + "]",
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A change in one line, as a PR comment lists it: <c>pool/fancydb-lon size 8 → 10</c>.</summary>
    public static IEnumerable<string> Describe(DocumentChange change) => change.Kind switch
    {
        DocumentChangeKind.Added => [$"{change.Address} added"],
        DocumentChangeKind.Removed => [$"{change.Address} removed"],
        _ => change.Fields.Select(f => $"{change.Address} {f.Field} {f.Before ?? "(unset)"} → {f.After ?? "(unset)"}"),
    };
}
