using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp.Planning;
using static Fleet.Engine.Loading.Yaml.YamlFields;

namespace Fleet.Providers.Gcp;

/// <summary><c>gcp:</c> in fleet.yaml: the project, how fleetctl authenticates, and an optional endpoint.</summary>
public sealed record GcpSpec(
    string Project,
    string Credentials,
    string? Endpoint,
    FieldLocations Locations) : ProviderConfig
{
    public override IEnumerable<(string Field, object? Value)> Describe() => [("project", Project), ("endpoint", Endpoint)];
}

/// <summary>The backend fields of a gcp pool: <c>gcp: { zone, machineType }</c>.</summary>
public sealed record GcpPoolSpec(string Zone, string MachineType) : PoolConfig
{
    public override IEnumerable<(string Field, object? Value)> Describe() => [("gcp.zone", Zone), ("gcp.machineType", MachineType)];
}

/// <summary>The GCP provider's fields as the model holds them.</summary>
public static class GcpFields
{
    /// <summary>fleet.yaml's <c>gcp:</c>, when written.</summary>
    public static GcpSpec? Gcp(this FleetSpec fleet) => fleet.Sections.Get<GcpSpec>(GcpDefinition.Section);

    /// <summary>A gcp pool's <c>gcp:</c>; null for pools of other backends.</summary>
    public static GcpPoolSpec? Gcp(this PoolSpec pool) => pool.Config as GcpPoolSpec;
}

/// <summary>What the GCP provider accepts: the <c>gcp</c> section of fleet.yaml and the <c>gcp</c> pool backend.</summary>
public sealed class GcpDefinition : IProviderDefinition
{
    public const string Section = GcpPlanner.ProviderName;
    public const string Backend = GcpPlanner.ProviderName;

    public static GcpDefinition Instance { get; } = new();

    public string Name => GcpPlanner.ProviderName;

    public ImmutableArray<ActionDescriptor> Actions => GcpActions.All;

    public ProviderSchema Schema { get; } = new()
    {
        Sections =
        [
            new(Section, """
                {
                  "type": "object",
                  "required": ["project"],
                  "additionalProperties": false,
                  "properties": {
                    "project": {
                      "type": "string",
                      "pattern": "^[a-z][-a-z0-9]{4,28}[a-z0-9]$",
                      "x-expected": "a GCP project id (6 to 30 lowercase letters, digits and '-', starting with a letter)"
                    },
                    "credentials": {
                      "type": "string",
                      "pattern": "^(adc|env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$",
                      "x-expected": "adc (application default credentials) or a key file reference env:NAME or file:PATH",
                      "x-secret": true
                    },
                    "endpoint": {
                      "type": "string",
                      "pattern": "^https?://[^\\s]+$",
                      "x-expected": "an http(s) URL"
                    }
                  }
                }
                """),
        ],
        Backends =
        [
            new(Backend, "a Compute Engine managed instance group", [
                new(Section, """
                    {
                      "type": "object",
                      "required": ["zone", "machineType"],
                      "additionalProperties": false,
                      "description": "gcp: where and on what the managed instance group runs.",
                      "properties": {
                        "zone": {
                          "type": "string",
                          "pattern": "^[a-z]+-[a-z]+[0-9]+-[a-z]$",
                          "x-expected": "a Compute Engine zone such as europe-west1-b"
                        },
                        "machineType": {
                          "type": "string",
                          "pattern": "^[a-z][-a-z0-9]*[a-z0-9]$",
                          "x-expected": "a Compute Engine machine type such as n2-standard-8"
                        }
                      }
                    }
                    """),
            ])
            {
                Placement = "a gcp pool is placed by gcp.zone and gcp.machineType",
            },
        ],
    };

    public ProviderConfig ReadField(ConfigField field)
    {
        var gcp = (YamlMapping)field.Value;
        return new GcpSpec(Str(gcp, "project")!, Str(gcp, "credentials") ?? "adc", Str(gcp, "endpoint"), field.Locations);
    }

    public PoolConfig ReadPool(string backend, YamlMapping pool, FieldLocations locations) =>
        pool[Section] is YamlMapping gcp ? new GcpPoolSpec(Str(gcp, "zone")!, Str(gcp, "machineType")!) : NoPoolConfig.Instance;

    public void Check(LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        foreach (var pool in documents.Pools.Where(p => p.Backend == Backend))
        {
            if (pool.Gcp() is null)
            {
                diagnostics.Add(Diagnostic.Error(pool.Locations.Of("backend"), $"pool '{pool.Name}': a gcp pool needs 'gcp: {{ zone, machineType }}'"));
            }

            if (documents.Fleet is { } fleet && fleet.Gcp() is null)
            {
                diagnostics.Add(Diagnostic.Error(pool.Locations.Of("backend"), $"pool '{pool.Name}': a gcp pool needs a 'gcp' section (project, credentials) in {FleetLoader.FleetFile}"));
            }
        }
    }

}
