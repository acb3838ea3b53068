using System.Collections.Immutable;

namespace Fleet.Engine.Validation;

/// <summary>The document kinds of a fleet repository and the schema file of each.</summary>
public static class FleetKinds
{
    public const string ApiVersion = "fleet/v1";
    public const string Fleet = "Fleet";
    public const string Role = "Role";
    public const string Pool = "Pool";
    public const string Zone = "Zone";

    public static ImmutableArray<string> All { get; } = [Fleet, Role, Pool, Zone];

    /// <summary>The embedded resource and file name under <c>schemas/</c>: <c>pool.schema.json</c>.</summary>
    public static string SchemaFile(string kind) => $"{kind.ToLowerInvariant()}.schema.json";

    /// <summary>The kind spelled as the user may have typed it on the command line (case-insensitive).</summary>
    public static string? Find(string name) => All.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
}
