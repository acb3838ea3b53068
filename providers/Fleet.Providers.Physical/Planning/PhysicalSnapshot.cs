using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical.Planning;

/// <summary>The inventory as physical planning sees it: every machine and every pool record, read once.</summary>
public sealed record PhysicalSnapshot(ImmutableArray<Machine> Machines, ImmutableArray<PoolRecord> Pools) : ProviderSnapshot;
