using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;

namespace Fleet.Engine.Validation;

/// <summary>
/// The checks a schema cannot express because they span fields or documents: uniqueness, references,
/// backend-specific fields, networks and DNS. Runs on documents that passed their schema.
/// </summary>
internal static class SemanticChecks
{
    /// <param name="source">Where files the documents name (a site's <c>power.caFile</c>) must exist.</param>
    public static IEnumerable<Diagnostic> Check(DocumentSet documents, IFleetSource source)
    {
        var diagnostics = new List<Diagnostic>();
        var fleet = CheckFleetDocuments(documents, diagnostics);
        if (fleet is not null)
        {
            FleetChecks.Check(fleet, source, diagnostics);
        }

        Unique(documents.Roles, r => r.Name, r => r.Locations, FleetKinds.Role, diagnostics);
        Unique(documents.Pools, p => p.Name, p => p.Locations, FleetKinds.Pool, diagnostics);
        Unique(documents.Zones, z => z.Name.TrimEnd('.'), z => z.Locations, FleetKinds.Zone, diagnostics);
        var roles = documents.Roles.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var pool in documents.Pools)
        {
            CheckPool(pool, fleet, roles, documents, diagnostics);
        }

        foreach (var zone in documents.Zones)
        {
            ZoneChecks.Check(zone, fleet, diagnostics);
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

    private static void CheckPool(PoolSpec pool, FleetSpec? fleet, HashSet<string> roles, DocumentSet documents, List<Diagnostic> diagnostics)
    {
        void Error(string field, string message) => diagnostics.Add(Diagnostic.Error(pool.Locations.Of(field), $"pool '{pool.Name}': {message}"));

        if (!roles.Contains(pool.Role) && documents.CanJudge(FleetKinds.Role, pool.Role))
        {
            Error("role", $"role '{pool.Role}' is not defined{Suggestions.DidYouMean(pool.Role, roles.Order(StringComparer.Ordinal))}");
        }

        if (pool.Backend == PoolBackend.Physical)
        {
            foreach (var (field, _) in new[] { (Field: "site", Value: pool.Site), (Field: "hardware", Value: pool.Hardware) }.Where(f => f.Value is null))
            {
                Error("name", $"a physical pool needs '{field}'");
            }

            if (pool.Gcp is not null)
            {
                Error("gcp", "'gcp' applies only to pools with backend: gcp");
            }

            var judgeable = fleet is not null && documents.Complete;
            if (judgeable && pool.Site is { } site && !fleet!.Sites.Any(s => s.Name == site))
            {
                Error("site", $"site '{site}' is not defined in {FleetLoader.FleetFile}{Suggestions.DidYouMean(site, fleet.Sites.Select(s => s.Name))}");
            }

            if (judgeable && pool.Hardware is { } hardware && !fleet!.Hardware.Any(h => h.Name == hardware))
            {
                Error("hardware", $"hardware '{hardware}' is not defined in {FleetLoader.FleetFile}{Suggestions.DidYouMean(hardware, fleet.Hardware.Select(h => h.Name))}");
            }

            // Hostnames are <site>-<role>-<5 chars> and must stay one DNS label.
            if (pool.Site is { } s && s.Length + pool.Role.Length + 7 > 63)
            {
                Error("role", $"hostnames '{s}-{pool.Role}-xxxxx' would be longer than 63 characters; shorten the site or role name");
            }
        }
        else
        {
            foreach (var field in new[] { "site", "hardware" }.Where(pool.Locations.Fields.ContainsKey))
            {
                Error(field, $"'{field}' applies only to physical pools; a gcp pool is placed by gcp.zone and gcp.machineType");
            }

            if (pool.Gcp is null)
            {
                Error("backend", "a gcp pool needs 'gcp: { zone, machineType }'");
            }

            if (fleet is not null && fleet.Gcp is null)
            {
                Error("backend", $"a gcp pool needs a 'gcp' section (project, credentials) in {FleetLoader.FleetFile}");
            }
        }
    }
}
