using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Inventory;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Engine.Providers;
using Fleet.Engine.Validation;
using Fleet.Providers.Dns;
using Fleet.Providers.Gcp;
using Fleet.Providers.Physical;
using Fleet.Providers.Physical.Power;
using Fleet.State;
using Fleetctl.Dns;
using Fleetctl.Gcp;

namespace Fleetctl;

/// <summary>Whether a provider is built to plan (cheap: no power driver, no credentials) or to apply changes.</summary>
public enum ProviderUse
{
    Plan,
    Apply,
}

/// <summary>
/// What a provider is built from: the loaded desired state and where it came from, the state
/// database, the inventory as the providers share it within one plan, and the host (environment for
/// secret references, clock).
/// </summary>
public sealed record ProviderContext(
    DesiredState Desired,
    IFleetSource Source,
    string FleetDirectory,
    StateDatabase Database,
    IInventoryStore Inventory,
    CliHost Host,
    ProviderUse Use);

/// <summary>Builds a provider for a fleet; null when the fleet does not use it (no <c>dns</c> section).</summary>
public delegate IProvider? ProviderFactory(ProviderContext context);

/// <summary>
/// The providers a fleetctl is built with, in planning order (a provider sees the changes of those
/// before it), each as its definition (what it accepts in the YAML) and its factory. Commands load
/// fleets and build providers only through it; tests build one with a provider of their own.
/// </summary>
public sealed class FleetRuntime
{
    private readonly ImmutableArray<(IProviderDefinition Definition, ProviderFactory Factory)> providers;

    private FleetRuntime(ImmutableArray<(IProviderDefinition, ProviderFactory)> providers, ImmutableDictionary<string, string>? composedSchemas)
    {
        this.providers = providers;
        Catalog = new ProviderCatalog(providers.Select(p => p.Item1), composedSchemas);
        Loader = new FleetLoader(Catalog);
    }

    /// <summary>
    /// Physical machines, GCP groups and DNS zones, as fleetctl ships. Their schemas are those in
    /// <c>schemas/</c>, built into the binary (a test holds them to what the definitions compose to).
    /// </summary>
    public static FleetRuntime Standard { get; } = new Builder(
            [
                (PhysicalDefinition.Instance, CreatePhysical),
                (GcpDefinition.Instance, context => GcpComposition.CreateProvider(context.Desired, context.FleetDirectory, context.Inventory, context.Host)),
                (DnsDefinition.Instance, context => context.Desired.Fleet.Dns() is null
                    ? null
                    : DnsComposition.CreateProvider(context.Desired, context.Source, context.FleetDirectory, context.Database, context.Inventory, context.Host)),
            ])
        .Build(ShippedSchemas());

    public ProviderCatalog Catalog { get; }

    public FleetLoader Loader { get; }

    public static Builder CreateBuilder() => new([]);

    /// <summary>Every provider the fleet uses, built for <paramref name="context"/>'s use, in planning order.</summary>
    public ImmutableArray<IProvider> Build(ProviderContext context) =>
        [.. providers.Select(p => p.Factory(context)).OfType<IProvider>()];

    /// <summary>The schemas of <c>schemas/</c>, embedded in the binary, by kind.</summary>
    private static ImmutableDictionary<string, string> ShippedSchemas() =>
        FleetKinds.All.ToImmutableDictionary(k => k, k =>
        {
            var name = "schemas/" + FleetKinds.SchemaFile(k);
            using var stream = typeof(FleetRuntime).Assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"embedded schema {name} is missing from the build");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        });

    /// <summary>The standard providers and more: a builder that starts from this runtime's providers.</summary>
    public Builder ToBuilder() => new([.. providers]);

    private static IProvider CreatePhysical(ProviderContext context)
    {
        if (context.Use == ProviderUse.Plan)
        {
            return new PhysicalProvider(context.Inventory);
        }

        var host = context.Host;
        var seed = host.GetEnvironment("FLEET_SIMULATED_SEED") is { } text && int.TryParse(text, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var real = new RealHardware(context.FleetDirectory, host.GetEnvironment, context.Database.BootTasks);
        return PhysicalProvider.ForApply(context.Database.Inventory, context.Database.Reservations, context.Desired.Fleet, real, host.Clock, seed);
    }

    /// <summary>Adds providers in planning order, then <see cref="Build()"/>s the runtime.</summary>
    public sealed class Builder(List<(IProviderDefinition, ProviderFactory)> providers)
    {
        public Builder AddProvider(IProviderDefinition definition, ProviderFactory factory)
        {
            providers.Add((definition, factory));
            return this;
        }

        /// <summary>The runtime; its schemas are composed from the providers' definitions on first use.</summary>
        public FleetRuntime Build() => new([.. providers], null);

        internal FleetRuntime Build(ImmutableDictionary<string, string> composedSchemas) => new([.. providers], composedSchemas);
    }
}
