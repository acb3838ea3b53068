using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;
using Fleet.Engine.Validation;

namespace Fleet.Engine.Loading;

/// <summary>
/// Loads a fleet repository: reads every YAML file, checks each document against the schema of its
/// kind, builds the model, then runs the checks across documents (references, uniqueness,
/// networks, zones, and each provider's own rules). The schemas and the fields providers add come
/// from <paramref name="catalog"/>. Every problem is collected; nothing stops at the first one.
/// </summary>
public sealed class FleetLoader(ProviderCatalog catalog)
{
    public const string FleetFile = "fleet.yaml";

    private readonly ModelReader reader = new(catalog);

    /// <summary>The provider definitions the loader reads provider fields with.</summary>
    public ProviderCatalog Catalog => catalog;

    public LoadResult Load(IFleetSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var diagnostics = new List<Diagnostic>();
        if (!source.Exists(FleetFile))
        {
            diagnostics.Add(Diagnostic.Error($"no {FleetFile} in {source.Description}; a fleet directory has {FleetFile} at its root (use -C DIR to point at one)"));
            return new LoadResult(null, [.. diagnostics]);
        }

        var documents = new DocumentSet();
        foreach (var file in source.ListFiles().Where(IsYaml))
        {
            var before = diagnostics.Count;
            var read = ReadFile(source, file, diagnostics);
            documents.Complete &= diagnostics.Count == before;
            foreach (var document in read)
            {
                Classify(document, documents, diagnostics);
            }
        }

        diagnostics.AddRange(SemanticChecks.Check(documents, source, catalog));
        var sorted = Sort(diagnostics);
        var desired = sorted.Any(d => d.IsError) || documents.Fleets.Count != 1
            ? null
            : new DesiredState(documents.Fleets[0], [.. documents.Roles], [.. documents.Pools], [.. documents.Zones]);
        return new LoadResult(desired, sorted);
    }

    /// <summary>Loads and returns the desired state, or throws every diagnostic as one <see cref="FleetException"/>.</summary>
    public DesiredState LoadOrThrow(IFleetSource source)
    {
        var result = Load(source);
        return result.Succeeded ? result.Desired! : throw new FleetException(result.Diagnostics);
    }

    /// <summary>
    /// The <c>inventory:</c> of fleet.yaml as written (null when it names none), read ahead of
    /// <see cref="Load"/> so that the state database can be opened while the rest of the repository
    /// is validated. False when fleet.yaml cannot be read or has no Fleet document whose inventory is
    /// text or absent; loading reports why. Nothing here is validated: the caller checks the value
    /// against the loaded <see cref="FleetSpec.Inventory"/>.
    /// </summary>
    public static bool TryPeekInventory(IFleetSource source, out string? inventory)
    {
        ArgumentNullException.ThrowIfNull(source);
        inventory = null;
        try
        {
            if (!source.Exists(FleetFile))
            {
                return false;
            }

            var diagnostics = new List<Diagnostic>();
            var fleet = YamlFileReader.Read(source, FleetFile, diagnostics)
                .Select(d => d.Root as YamlMapping)
                .FirstOrDefault(root => root?["kind"] is YamlScalar { Text: FleetKinds.Fleet });
            switch (fleet?["inventory"])
            {
                case null when fleet is not null:
                    return true;
                case YamlScalar { Type: YamlScalarType.String } text:
                    inventory = text.Text;
                    return true;
                default:
                    return false;
            }
        }
        catch (FleetException)
        {
            return false;
        }
    }

    /// <summary>Diagnostics ordered by file, line, column and message (ordinal), the order users read them in.</summary>
    public static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics) =>
        [.. diagnostics
            .OrderBy(d => d.Location.File, StringComparer.Ordinal)
            .ThenBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ThenBy(d => d.Message, StringComparer.Ordinal)];

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static ImmutableArray<YamlDocumentNode> ReadFile(IFleetSource source, string file, List<Diagnostic> diagnostics)
    {
        try
        {
            return YamlFileReader.Read(source, file, diagnostics);
        }
        catch (FleetException e)
        {
            diagnostics.AddRange(e.Diagnostics);
            return [];
        }
    }

    private void Classify(YamlDocumentNode document, DocumentSet documents, List<Diagnostic> diagnostics)
    {
        if (document.Root is not YamlMapping root)
        {
            Report(documents, diagnostics, Diagnostic.Error(document.Root.Location, $"a document must be a mapping with apiVersion and kind, got {document.Root.Describe()}"));
            return;
        }

        var kind = Kind(root, documents, diagnostics);
        if (kind is null)
        {
            return;
        }

        var errors = catalog.Schemas.Validate(kind, root);
        if (!errors.IsEmpty)
        {
            diagnostics.AddRange(errors);

            documents.Invalid(kind, root);
            return;
        }

        switch (kind)
        {
            case FleetKinds.Fleet:
                documents.Fleets.Add(reader.ReadFleet(root));
                break;
            case FleetKinds.Role:
                documents.Roles.Add(reader.ReadRole(root));
                break;
            case FleetKinds.Pool:
                documents.Pools.Add(reader.ReadPool(root));
                break;
            case FleetKinds.Zone:
                documents.Zones.Add(ModelReader.ReadZone(root));
                break;
        }
    }

    private static string? Kind(YamlMapping root, DocumentSet documents, List<Diagnostic> diagnostics)
    {
        var known = string.Join(", ", FleetKinds.All);
        switch (root.Find("kind"))
        {
            case null:
                Report(documents, diagnostics, Diagnostic.Error(root.Location, $"document has no 'kind'; expected one of {known}"));
                return null;
            case { Value: YamlScalar { Type: YamlScalarType.String } value } when FleetKinds.All.Contains(value.Text):
                return value.Text;
            case { Value: YamlScalar { Type: YamlScalarType.String } value }:
                var hint = Suggestions.Closest(value.Text, FleetKinds.All) is { } match ? $"did you mean '{match}'?" : $"expected one of {known}";
                Report(documents, diagnostics, Diagnostic.Error(value.Location, $"unknown kind '{value.Text}'; {hint}"));
                return null;
            case { Value: var value }:
                Report(documents, diagnostics, Diagnostic.Error(value.Location, $"field 'kind' must be one of {known}, got {value.Describe()}"));
                return null;
        }
    }

    /// <summary>A document whose kind is unknown hides whatever it defines, so references to it cannot be judged.</summary>
    private static void Report(DocumentSet documents, List<Diagnostic> diagnostics, Diagnostic diagnostic)
    {
        documents.Complete = false;
        diagnostics.Add(diagnostic);
    }
}
