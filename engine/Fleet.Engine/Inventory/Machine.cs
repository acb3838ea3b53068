using System.Collections.Immutable;

namespace Fleet.Engine.Inventory;

/// <summary>
/// The lifecycle states of a physical machine (DESIGN.md, Inventory). Spelled
/// <c>new, available, installing, in_use, recycling, broken</c> in JSON, YAML and the database.
/// </summary>
public enum MachineState
{
    Available,
    Installing,
    InUse,
    Recycling,
    Broken,

    /// <summary>
    /// Registered over the network (serve's recon) and not yet approved by an operator: planning never
    /// claims it, so a stranger on the provisioning network cannot become a pool member by itself.
    /// </summary>
    New,
}

public sealed record NetworkInterface(string Name, string Mac, string? Ip);

public sealed record BmcEndpoint(string Address, int? Port)
{
    /// <summary>The address as compared for ownership: an IP in canonical form, a host name in lower case without a final dot.</summary>
    public string Host => ReconReader.NormalizeIp(Address) ?? Address.TrimEnd('.').ToLowerInvariant();
}

/// <summary>
/// One physical machine as the inventory knows it. <see cref="HardwareName"/> is the serial number
/// found by recon and is the machine's identity. <see cref="Version"/> increases with every change
/// and is what plan guards and optimistic claims compare.
/// </summary>
public sealed record Machine(
    string HardwareName,
    string HardwareType,
    string Site,
    string? Rack,
    BmcEndpoint? Bmc,
    ImmutableArray<NetworkInterface> Interfaces,
    MachineState State,
    string? Hostname,
    string? Role,
    string? Pool,
    string? Image,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    /// <summary>
    /// The address DNS publishes for the machine: the first interface that has one. A plain loop: DNS
    /// planning asks every machine of the fleet, and a query would allocate three objects each time.
    /// </summary>
    public string? PrimaryIp
    {
        get
        {
            foreach (var networkInterface in Interfaces)
            {
                if (networkInterface.Ip is not null)
                {
                    return networkInterface.Ip;
                }
            }

            return null;
        }
    }
}

/// <summary>
/// What the inventory remembers of a pool once it has been applied: the role and image it was last
/// installed with, and its deletion protection (so removing the YAML does not remove the protection).
/// </summary>
public sealed record PoolRecord(
    string Name,
    string Backend,
    string? Role,
    string? Image,
    bool Protected,
    DateTimeOffset UpdatedAt,
    long Version);
