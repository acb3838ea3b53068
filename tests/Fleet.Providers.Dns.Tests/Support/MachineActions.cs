using System.Collections.Immutable;
using Fleet.Engine.Planning;
using Fleet.Providers.Dns;

namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>
/// Machine actions of a provider planned before DNS, declared here as such a provider declares them:
/// DNS reads prior changes by their kind, never by their name.
/// </summary>
internal static class MachineActions
{
    public static ActionDescriptor Install { get; } = new("install", ChangeKind.Create, "machine", "install");

    public static ActionDescriptor Recycle { get; } = new("recycle", ChangeKind.Delete, "machine", "recycle");

    /// <summary>These and the DNS provider's own actions, in planning order.</summary>
    public static ActionCatalog WithDns { get; } = new([Install, Recycle, .. DnsActions.All]);
}
