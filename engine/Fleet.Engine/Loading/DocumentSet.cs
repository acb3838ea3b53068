using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Validation;

namespace Fleet.Engine.Loading;

/// <summary>
/// The documents of a repository as they are read, before the checks across documents. Names of
/// documents that failed their schema are kept, so a pool naming such a role is not also told the
/// role does not exist.
/// </summary>
internal sealed class DocumentSet
{
    public List<FleetSpec> Fleets { get; } = [];

    public List<RoleSpec> Roles { get; } = [];

    public List<PoolSpec> Pools { get; } = [];

    public List<ZoneSpec> Zones { get; } = [];

    /// <summary>Names (and, for the Fleet, site and hardware names) written in documents that failed validation.</summary>
    public HashSet<(string Kind, string Name)> InvalidNames { get; } = [];

    /// <summary>A Fleet document exists but failed validation: its sites and hardware are unknown.</summary>
    public bool FleetInvalid { get; set; }

    /// <summary>False when a file could not be parsed or a document has no known kind: references cannot be judged.</summary>
    public bool Complete { get; set; } = true;

    public void Invalid(string kind, YamlMapping root)
    {
        if (kind == FleetKinds.Fleet)
        {
            FleetInvalid = true;
        }

        if (root["name"] is YamlScalar name)
        {
            InvalidNames.Add((kind, name.Text));
        }
    }

    /// <summary>Whether a reference to <paramref name="name"/> of <paramref name="kind"/> can be reported as dangling.</summary>
    public bool CanJudge(string kind, string name) => Complete && !InvalidNames.Contains((kind, name));
}
