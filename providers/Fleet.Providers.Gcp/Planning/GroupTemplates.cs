using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Fleet.Providers.Gcp.Compute;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>
/// The instance template of a pool and how fleetctl marks what it manages. A template's name is the
/// pool's name and a short hash of its content (machine type, source image, labels), so any change of
/// machine type or image is a new template, and an existing one is never modified. Groups carry a
/// description naming the fleet and pool; only groups with it are ever changed or deleted.
/// </summary>
public static class GroupTemplates
{
    private const int HashLength = 10;

    /// <summary>Label keys on every template fleetctl creates.</summary>
    public const string ManagedByLabel = "managed-by";
    public const string FleetLabel = "fleet";
    public const string PoolLabel = "fleet-pool";
    public const string RoleLabel = "fleet-role";

    private const string MarkerPrefix = "managed by fleetctl: fleet ";

    /// <summary>The description of a group that fleet <paramref name="fleet"/> manages for pool <paramref name="pool"/>.</summary>
    public static string Marker(string fleet, string pool) => $"{MarkerPrefix}{fleet}, pool {pool}";

    /// <summary>The fleet managing a group, from its description; null when fleetctl does not manage it.</summary>
    public static string? ManagingFleet(string groupName, string? description)
    {
        if (description is null || !description.StartsWith(MarkerPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = description[MarkerPrefix.Length..];
        var comma = rest.IndexOf(", pool ", StringComparison.Ordinal);
        return comma > 0 && rest[(comma + ", pool ".Length)..] == groupName ? rest[..comma] : null;
    }

    /// <summary>The template a pool's instances are created from.</summary>
    public static InstanceTemplate Build(string fleet, string pool, string role, string machineType, string sourceImage)
    {
        var labels = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
            KeyValuePair.Create(FleetLabel, fleet),
            KeyValuePair.Create(ManagedByLabel, "fleetctl"),
            KeyValuePair.Create(PoolLabel, pool),
            KeyValuePair.Create(RoleLabel, role),
        ]);
        var content = new StringBuilder().Append(machineType).Append('\n').Append(sourceImage);
        foreach (var (key, value) in labels)
        {
            content.Append('\n').Append(key).Append('=').Append(value);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content.ToString())))[..HashLength];
        var name = $"{pool[..Math.Min(pool.Length, 62 - HashLength)]}-{hash}";
        return new InstanceTemplate(
            name,
            $"{Marker(fleet, pool)}; role {role}",
            new InstanceProperties(
                machineType,
                labels,
                [new AttachedDisk(Boot: true, AutoDelete: true, new AttachedDiskInitializeParams(sourceImage))],
                [new NetworkInterface("global/networks/default")]));
    }
}
