using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;

namespace Fleet.Engine.Validation;

/// <summary>
/// The checks a schema cannot express because they span fields or documents: uniqueness, references,
/// fields of another backend, networks and zones, then each provider's own rules. Runs on documents
/// that passed their schema.
/// </summary>
internal static class SemanticChecks
{
    /// <param name="source">Where files the documents name (a site's <c>power.caFile</c>) must exist.</param>
    public static IEnumerable<Diagnostic> Check(DocumentSet documents, IFleetSource source, ProviderCatalog catalog)
    {
        var diagnostics = new List<Diagnostic>();
        var fleet = CheckFleetDocuments(documents, diagnostics);
        if (fleet is not null)
        {
            FleetChecks.Check(fleet, diagnostics);
        }

        Unique(documents.Roles, r => r.Name, r => r.Locations, FleetKinds.Role, diagnostics);
        Unique(documents.Pools, p => p.Name, p => p.Locations, FleetKinds.Pool, diagnostics);
        Unique(documents.Zones, z => z.Name.TrimEnd('.'), z => z.Locations, FleetKinds.Zone, diagnostics);
        var roles = documents.Roles.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var pool in documents.Pools)
        {
            CheckPool(pool, roles, documents, catalog, diagnostics);
        }

        foreach (var zone in documents.Zones)
        {
            ZoneChecks.Check(zone, fleet, diagnostics);
        }

        var loaded = new LoadedDocuments(fleet, [.. documents.Roles], [.. documents.Pools], [.. documents.Zones], source, documents.CanJudge, documents.Complete);
        foreach (var definition in catalog.Definitions)
        {
            definition.Check(loaded, diagnostics);
        }

        return diagnostics;
    }

    /// <summary>Reports a name defined twice, at the later definition, pointing at the first.</summary>
    public static void Unique<T>(IEnumerable<T> items, Func<T, string> name, Func<T, FieldLocations> locations, string what, List<Diagnostic> diagnostics)
    {
        var first = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var location = locations(item).Of("name");
            if (!first.TryAdd(name(item), location))
            {
                diagnostics.Add(Diagnostic.Error(location, $"duplicate {what} name '{name(item)}'; it is already defined at {first[name(item)]}"));
            }
        }
    }

    private static FleetSpec? CheckFleetDocuments(DocumentSet documents, List<Diagnostic> diagnostics)
    {
        foreach (var misplaced in documents.Fleets.Where(f => f.Locations.Document.File != FleetLoader.FleetFile))
        {
            diagnostics.Add(Diagnostic.Error(misplaced.Locations.Document, $"the Fleet document belongs in {FleetLoader.FleetFile}"));
        }

        foreach (var extra in documents.Fleets.Skip(1))
        {
            diagnostics.Add(Diagnostic.Error(extra.Locations.Document, $"a second Fleet document; a repository has one, at {documents.Fleets[0].Locations.Document}"));
        }

        if (documents.Fleets.Count == 0 && documents.Complete && !documents.FleetInvalid)
        {
            diagnostics.Add(Diagnostic.Error(new SourceLocation(FleetLoader.FleetFile, 1, 1), $"{FleetLoader.FleetFile} has no document of kind Fleet"));
        }

        return documents.Fleets.FirstOrDefault();
    }

    private static void CheckPool(PoolSpec pool, HashSet<string> roles, DocumentSet documents, ProviderCatalog catalog, List<Diagnostic> diagnostics)
    {
        void Error(string field, string message) => diagnostics.Add(Diagnostic.Error(pool.Locations.Of(field), $"pool '{pool.Name}': {message}"));

        if (!roles.Contains(pool.Role) && documents.CanJudge(FleetKinds.Role, pool.Role))
        {
            Error("role", $"role '{pool.Role}' is not defined{Suggestions.DidYouMean(pool.Role, roles.Order(StringComparer.Ordinal))}");
        }

        // The schema admits every backend's fields on every pool; only the pool's own backend's apply.
        var own = catalog.Backend(pool.Backend)!.Value.Schema;
        var foreign = catalog.Backends
            .Where(b => b.Name != pool.Backend)
            .SelectMany(b => b.PoolFields.Select(f => f.Name))
            .Where(f => pool.Locations.Fields.ContainsKey(f) && !own.PoolFields.Any(o => o.Name == f))
            .Distinct(StringComparer.Ordinal);
        foreach (var field in foreign)
        {
            var declaring = string.Join(" and ", catalog.BackendsDeclaring(field));
            Error(field, $"'{field}' applies only to {declaring} pools{(own.Placement is { } placement ? "; " + placement : string.Empty)}");
        }
    }
}
