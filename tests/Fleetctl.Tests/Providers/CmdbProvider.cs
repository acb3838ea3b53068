using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleetctl.Tests.Providers;

/// <summary><c>cmdb: { file: PATH }</c> in fleet.yaml: where the export is written, relative to the fleet directory.</summary>
internal sealed record CmdbSpec(string File, FieldLocations Locations) : ProviderConfig
{
    public override IEnumerable<(string Field, object? Value)> Describe() => [("file", File)];
}

/// <summary>
/// A fourth provider, written as a provider outside fleetctl would be: it exports every in_use machine
/// (of whichever provider makes it) to a JSON file, with a fleet.yaml section and an action of its
/// own. It plugs in through <see cref="FleetRuntime.Builder.AddProvider"/> alone.
/// </summary>
internal sealed class CmdbDefinition : IProviderDefinition
{
    public const string Section = "cmdb";

    public static ActionDescriptor Export { get; } = new("export", ChangeKind.Update, "export", "write") { ChangesMachines = false };

    public static CmdbDefinition Instance { get; } = new();

    public string Name => "cmdb";

    public ImmutableArray<ActionDescriptor> Actions { get; } = [Export];

    public ProviderSchema Schema { get; } = new()
    {
        Sections =
        [
            new(Section, """
                {
                  "type": "object",
                  "required": ["file"],
                  "additionalProperties": false,
                  "description": "cmdb: export every in_use machine to a JSON file.",
                  "properties": { "file": { "type": "string", "minLength": 1, "description": "The export, relative to the fleet directory." } }
                }
                """),
        ],
    };

    /// <summary>The runtime fleetctl ships, with this provider added last.</summary>
    public static FleetRuntime Runtime { get; } = FleetRuntime.Standard.ToBuilder()
        .AddProvider(Instance, context => context.Desired.Fleet.Sections.Get<CmdbSpec>(Section) is { } spec ? new CmdbProvider(spec, context.FleetDirectory) : null)
        .Build();

    public ProviderConfig ReadField(ConfigField field) => new CmdbSpec(YamlFields.Str((YamlMapping)field.Value, "file")!, field.Locations);

    public PoolConfig ReadPool(string backend, YamlMapping pool, FieldLocations locations) => throw new InvalidOperationException("cmdb serves no pools");

    public void Check(LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        if (documents.Fleet?.Sections.Get<CmdbSpec>(Section) is { } spec && (Path.IsPathRooted(spec.File) || spec.File.Split('/').Contains("..")))
        {
            diagnostics.Add(Diagnostic.Error(spec.Locations.Of("file"), $"cmdb.file '{spec.File}' must be a path inside the fleet directory"));
        }
    }
}

/// <summary>What the export file holds now.</summary>
internal sealed record CmdbSnapshot(string? Content) : ProviderSnapshot;

internal sealed class CmdbProvider(CmdbSpec spec, string fleetDirectory) : IProvider
{
    private string Path => System.IO.Path.Combine(fleetDirectory, spec.File);

    public string Name => "cmdb";

    public ProviderCapabilities Capabilities { get; } = new([], [CmdbDefinition.Export]);

    public ImmutableArray<Diagnostic> Validate(DesiredState desired) => [];

    public async Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken) =>
        new CmdbSnapshot(File.Exists(Path) ? await File.ReadAllTextAsync(Path, cancellationToken) : null);

    /// <summary>The export of the machines as the plan leaves them; the change carries the whole content.</summary>
    public ProviderPlan Plan(ProviderPlanRequest request)
    {
        var content = Render(request.Machines);
        var guards = ImmutableDictionary<string, string>.Empty.Add("cmdb/export", Hash(((CmdbSnapshot)request.Actual).Content));
        if (content == ((CmdbSnapshot)request.Actual).Content)
        {
            return ProviderPlan.Empty with { Guards = guards };
        }

        var change = new PlannedChange
        {
            Id = string.Empty,
            Address = "cmdb/export",
            Provider = Name,
            Action = CmdbDefinition.Export,
            Reason = "machines",
            Parameters = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal).Add("content", content),
        };
        return ProviderPlan.Empty with { Changes = [new ProposedChange(change, [new ChangeSelector() { ChangesMachines = true }])], Guards = guards };
    }

    public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual) =>
        guards.TryGetValue("cmdb/export", out var planned) && planned != Hash(((CmdbSnapshot)actual).Content) ? ["cmdb/export changed since the plan"] : [];

    public async Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken)
    {
        var content = change.Parameters["content"];
        if (File.Exists(Path) && await File.ReadAllTextAsync(Path, cancellationToken) == content)
        {
            return ChangeResult.AlreadyApplied("the export is current");
        }

        await File.WriteAllTextAsync(Path + ".tmp", content, cancellationToken);
        File.Move(Path + ".tmp", Path, overwrite: true);
        return ChangeResult.Applied($"exported to {spec.File}");
    }

    private static string Render(ImmutableArray<ProjectedMachine> machines) =>
        JsonSerializer.Serialize(
            machines.Where(m => m.State == MachineState.InUse).OrderBy(m => m.Id, StringComparer.Ordinal)
                .Select(m => new { id = m.Id, provider = m.Provider, hostname = m.Hostname, address = m.Address, pool = m.Pool, role = m.Role, site = m.Site }),
            new JsonSerializerOptions { WriteIndented = true }) + "\n";

    private static string Hash(string? content) => content is null ? "absent" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..16];
}
