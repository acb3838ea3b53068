using System.Collections.Immutable;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical;

/// <summary>
/// The BMC drivers a site's <c>power.driver</c> can name, each with the fields it adds to
/// <c>power:</c>. The schema of <c>power</c> is composed from them.
/// </summary>
public static class PowerDriverPlugIns
{
    public static ImmutableArray<PlugInSchema> All { get; } =
    [
        PlugIn(PowerSpec.Ipmi, """
            {
              "properties": {
                "username": { "type": "string", "minLength": 1, "description": "BMC user (ipmi, redfish)." },
                "password": { "$ref": "#/$defs/secretRef", "description": "BMC password reference (ipmi, redfish)." }
              }
            }
            """),
        PlugIn(PowerSpec.Redfish, """
            {
              "properties": {
                "username": { "type": "string", "minLength": 1, "description": "BMC user (ipmi, redfish)." },
                "password": { "$ref": "#/$defs/secretRef", "description": "BMC password reference (ipmi, redfish)." },
                "caFile": { "type": "string", "minLength": 1, "description": "redfish: a PEM file, relative to the fleet directory, of the CA or the BMC certificates to trust instead of the system store." }
              }
            }
            """),
        PlugIn(PowerSpec.Simulated, """
            {
              "properties": {
                "installSeconds": { "type": "number", "minimum": 0, "description": "simulated: how long an install takes." },
                "recycleSeconds": { "type": "number", "minimum": 0, "description": "simulated: how long a recycle takes." },
                "failureRate": { "type": "number", "minimum": 0, "maximum": 1, "description": "simulated: the probability that an install fails." }
              }
            }
            """),
    ];

    /// <summary>The drivers that declare <paramref name="field"/>.</summary>
    public static IEnumerable<string> Declaring(string field) => All.Where(p => p.Fields.Contains(field, StringComparer.Ordinal)).Select(p => p.Name);

    public static PlugInSchema? Find(string driver) => All.FirstOrDefault(p => p.Name == driver);

    private static PlugInSchema PlugIn(string name, string schema) =>
        new(PhysicalDefinition.PowerField, "driver", name, schema);
}
