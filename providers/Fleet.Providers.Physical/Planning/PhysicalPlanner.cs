using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical.Planning;

/// <summary>
/// Plans physical pools against the inventory, as a pure function (no database, no clock):
/// <list type="bullet">
/// <item>grow: claim available machines of the pool's hardware at its site, spreading the pool
/// across racks (the rack holding fewest of its machines first, then rack and serial order);</item>
/// <item>replace: a broken member is recycled and a replacement installed (reason <c>replace</c>);</item>
/// <item>shrink: recycle in_use machines from the racks holding most of the pool (broken ones go anyway);</item>
/// <item>reimage: in_use machines whose role or image differs from the pool's are reinstalled in
/// batches the safety limit allows;</item>
/// <item>removed pools: recycled only with <c>--allow-destroy</c>, never while protected in the inventory;</item>
/// <item>capacity: every pool that cannot be filled is reported, all at once.</item>
/// </list>
/// Installing machines count toward their pool (in flight), recycling ones do not.
/// </summary>
public static class PhysicalPlanner
{
    public const string ProviderName = "physical";

    /// <summary>Parameter names of physical changes: what an install or recycle needs, so apply never reads the desired state.</summary>
    public static class Parameters
    {
        public const string Pool = "pool";
        public const string Role = "role";
        public const string Image = "image";
    }

    internal const string DisruptionWhat = "in-service machines recycled or reimaged";

    /// <summary>What a physical pool must say, and must not: a site and a hardware type, no GCP settings.</summary>
    public static ImmutableArray<Diagnostic> Validate(DesiredState desired)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var pool in desired.Pools.Where(p => p.Backend == ProviderName))
        {
            if (pool.Site is null)
            {
                diagnostics.Add(Diagnostic.Error(pool.Locations.Of("backend"), $"pool {pool.Name}: a physical pool needs a site"));
            }

            if (pool.Hardware is null)
            {
                diagnostics.Add(Diagnostic.Error(pool.Locations.Of("backend"), $"pool {pool.Name}: a physical pool needs a hardware type"));
            }
        }

        return diagnostics.ToImmutable();
    }

    public static ProviderPlan Plan(DesiredState desired, PhysicalSnapshot actual, PlanOptions options)
    {
        var planning = new Planning(desired, actual, options);
        foreach (var pool in desired.Pools.Where(p => p.Backend == ProviderName).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (options.Selection.Includes(pool.Name, pool.Site))
            {
                planning.PlanPool(pool);
            }
        }

        planning.PlanRemovedPools();
        return planning.Result();
    }

    /// <summary>The state of one planning run: indexes built once, and what has been planned so far.</summary>
    private sealed class Planning
    {
        private readonly DesiredState desired;
        private readonly PlanOptions options;
        private readonly int maxPercent;
        private readonly Dictionary<string, RoleSpec> roles;
        private readonly Dictionary<string, PoolRecord> records;
        private readonly Dictionary<string, List<Machine>> members = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Site, string Hardware), FreeMachines> free = [];
        private readonly HostnameAllocator hostnames;

        private readonly Dictionary<string, string> addresses = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ImmutableSortedDictionary<string, string>> recycleParameters = new(StringComparer.Ordinal);

        private readonly ImmutableArray<ProposedChange>.Builder changes;

        /// <summary>The machines the changes touch, guarded when the plan is done (then the guard map is sized once).</summary>
        private readonly List<Machine> touched;
        private readonly List<string> guardedPools = [];
        private readonly List<Machine> claimed = [];
        private readonly List<Disruption> disruptions = [];
        private readonly List<string> limits = [];
        private readonly List<Diagnostic> errors = [];

        /// <summary>The install parameters of the pool being planned, made when it first installs a machine.</summary>
        private ImmutableSortedDictionary<string, string>? poolParameters;

        public Planning(DesiredState desired, PhysicalSnapshot actual, PlanOptions options)
        {
            this.desired = desired;
            this.options = options;
            maxPercent = desired.Fleet.Safety.MaxRecyclePercent;
            roles = desired.Roles.ToDictionary(r => r.Name, StringComparer.Ordinal);
            records = actual.Pools.Where(p => p.Backend == ProviderName).ToDictionary(p => p.Name, StringComparer.Ordinal);
            hostnames = new HostnameAllocator(actual.Machines.Select(m => m.Hostname), actual.Machines.Length);

            foreach (var machine in actual.Machines)
            {
                if (machine.State == MachineState.Available)
                {
                    var key = (machine.Site, machine.HardwareType);
                    if (!free.TryGetValue(key, out var group))
                    {
                        free[key] = group = new FreeMachines();
                    }

                    group.Add(machine);
                }
                else if (machine.Pool is not null)
                {
                    if (!members.TryGetValue(machine.Pool, out var list))
                    {
                        members[machine.Pool] = list = [];
                    }

                    list.Add(machine);
                }
            }

            foreach (var list in members.Values)
            {
                FreeMachines.SortBySerial(CollectionsMarshal.AsSpan(list));
            }

            // Room for the machines pools lack, so a fresh fleet's tens of thousands of installs never regrow the lists.
            var expected = 0;
            foreach (var pool in desired.Pools)
            {
                if (pool.Backend == ProviderName)
                {
                    expected += Math.Max(0, pool.Size - (members.TryGetValue(pool.Name, out var list) ? list.Count : 0));
                }
            }

            changes = ImmutableArray.CreateBuilder<ProposedChange>(expected);
            touched = new List<Machine>(expected);
        }

        public void PlanPool(PoolSpec pool)
        {
            if (!roles.TryGetValue(pool.Role, out var role))
            {
                errors.Add(Diagnostic.Error(pool.Locations.Of("role"), $"pool {pool.Name}: role {pool.Role} is not declared"));
                return;
            }

            var address = Address(pool.Name);
            poolParameters = null;
            var active = new List<Machine>();
            var broken = new List<Machine>();
            if (members.TryGetValue(pool.Name, out var pooled))
            {
                foreach (var machine in pooled)
                {
                    if (machine.State is MachineState.InUse or MachineState.Installing)
                    {
                        active.Add(machine);
                    }
                    else if (machine.State == MachineState.Broken)
                    {
                        broken.Add(machine);
                    }
                }
            }

            var need = pool.Size - active.Count;
            var touched = false;

            if (need > 0)
            {
                touched |= Grow(pool, role, active, need, broken.Count);
            }

            var shrunk = need < 0 ? Shrink(pool, active, -need) : [];
            var reimaged = Reimage(pool, role, active, shrunk);

            foreach (var machine in broken)
            {
                AddRecycle(pool.Name, machine, "replace");
            }

            touched |= shrunk.Count > 0 || reimaged > 0 || broken.Count > 0;
            if (shrunk.Count + reimaged > 0)
            {
                disruptions.Add(new Disruption(address, active.Count, shrunk.Count + reimaged, DisruptionWhat));
            }

            if (touched)
            {
                GuardPool(pool.Name);
            }
        }

        /// <summary>Pools the inventory still has machines in that the YAML no longer declares.</summary>
        public void PlanRemovedPools()
        {
            var declared = desired.Pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var removed = members.Keys.Where(name => !declared.Contains(name)).Order(StringComparer.Ordinal);
            foreach (var name in removed)
            {
                var pooled = members[name];
                if (!options.Selection.Includes(name, pooled[0].Site))
                {
                    continue;
                }

                var address = Address(name);
                var recyclable = pooled.Where(m => m.State is MachineState.InUse or MachineState.Broken).ToList();
                var installing = pooled.Count(m => m.State == MachineState.Installing);
                var isProtected = records.TryGetValue(name, out var record) && record.Protected;
                if (isProtected && options.AllowDestroy)
                {
                    errors.Add(Diagnostic.Error(
                        $"pool {name} is no longer declared but is protected in the inventory; declare it again with protect: false and apply before removing it"));
                    continue;
                }

                if (isProtected || !options.AllowDestroy)
                {
                    limits.Add($"{address}: no longer declared; its {pooled.Count} machines are kept ({(isProtected ? "the pool is protected" : "plan with --allow-destroy to recycle them")})");
                    continue;
                }

                foreach (var machine in recyclable)
                {
                    AddRecycle(name, machine, "destroy");
                }

                if (installing > 0)
                {
                    limits.Add($"{address}: {installing} machines are still installing; a later apply recycles them");
                }

                var inUse = recyclable.Count(m => m.State == MachineState.InUse);
                if (inUse > 0)
                {
                    disruptions.Add(new Disruption(address, inUse + installing, inUse, DisruptionWhat));
                }

                if (recyclable.Count > 0)
                {
                    GuardPool(name);
                }
            }
        }

        public ProviderPlan Result()
        {
            var guards = new Dictionary<string, string>(touched.Count + guardedPools.Count, StringComparer.Ordinal);
            foreach (var machine in touched)
            {
                guards[PhysicalGuards.Machine(machine.HardwareName)] = PhysicalGuards.Version(machine.Version);
            }

            foreach (var pool in guardedPools)
            {
                guards[PhysicalGuards.Pool(pool)] = records.TryGetValue(pool, out var record) ? PhysicalGuards.Version(record.Version) : PhysicalGuards.Absent;
            }

            return new(changes.DrainToImmutable(), guards, [.. disruptions], [], [.. limits], [.. errors]);
        }

        /// <summary>
        /// Claims <paramref name="need"/> free machines, or reports the shortfall and claims none
        /// (so the pools after it still see what is free, and every shortfall is reported).
        /// </summary>
        private bool Grow(PoolSpec pool, RoleSpec role, List<Machine> active, int need, int replacing)
        {
            var site = pool.Site ?? string.Empty;
            var hardware = pool.Hardware ?? string.Empty;
            free.TryGetValue((site, hardware), out var group);
            var available = group?.Count ?? 0;
            if (available < need)
            {
                errors.Add(Diagnostic.Error(pool.Locations.Of("size"), $"pool {pool.Name} needs {need} more {hardware} machines in {site}; {available} are available"));
                return false;
            }

            var parameters = Parameters(pool, role);
            claimed.Clear();
            group!.Claim(need, active, claimed);
            foreach (var machine in claimed)
            {
                var hostname = hostnames.Allocate(site, role.Name, machine.HardwareName);
                Add(pool.Name, machine, PhysicalActions.Install, replacing-- > 0 ? "replace" : "grow", hostname, parameters);
            }

            return true;
        }

        /// <summary>Picks <paramref name="count"/> in_use machines from the racks holding most of the pool.</summary>
        private List<Machine> Shrink(PoolSpec pool, List<Machine> active, int count)
        {
            var perRack = CountPerRack(active);
            var candidates = active.Where(m => m.State == MachineState.InUse)
                .GroupBy(m => m.Rack ?? string.Empty)
                .ToDictionary(g => g.Key, g => new Stack<Machine>(g.OrderBy(m => m.HardwareName, StringComparer.Ordinal)), StringComparer.Ordinal);
            var chosen = new List<Machine>(count);
            while (chosen.Count < count && candidates.Count > 0)
            {
                var rack = candidates.Keys.OrderByDescending(r => perRack[r]).ThenBy(r => r, StringComparer.Ordinal).First();
                var machines = candidates[rack];
                var machine = machines.Pop();
                if (machines.Count == 0)
                {
                    candidates.Remove(rack);
                }

                perRack[rack]--;
                chosen.Add(machine);
                AddRecycle(pool.Name, machine, "shrink");
            }

            if (chosen.Count < count)
            {
                limits.Add($"{Address(pool.Name)}: {count - chosen.Count} machines to remove are still installing; a later apply recycles them");
            }

            return chosen;
        }

        /// <summary>Reinstalls in_use machines whose role or image is not the pool's, as many as the safety limit leaves room for.</summary>
        private int Reimage(PoolSpec pool, RoleSpec role, List<Machine> active, List<Machine> shrunk)
        {
            List<Machine>? stale = null;
            foreach (var machine in active)
            {
                if (machine.State == MachineState.InUse && (machine.Role != role.Name || machine.Image != role.Image))
                {
                    (stale ??= []).Add(machine);
                }
            }

            if (stale is null)
            {
                return 0;
            }

            if (shrunk.Count > 0)
            {
                var leaving = shrunk.Select(m => m.HardwareName).ToHashSet(StringComparer.Ordinal);
                stale.RemoveAll(m => leaving.Contains(m.HardwareName));
            }

            var batch = Math.Min(stale.Count, Math.Max(0, SafetyPolicy.Allowance(active.Count, maxPercent) - shrunk.Count));
            if (batch < stale.Count)
            {
                limits.Add($"{Address(pool.Name)}: reimaging {batch} of {stale.Count} machines in this apply (safety.maxRecyclePercent {maxPercent}%); the rest follow in later applies");
            }

            var parameters = Parameters(pool, role);
            foreach (var machine in stale.Take(batch))
            {
                var hostname = machine.Role == role.Name && machine.Hostname is not null
                    ? machine.Hostname
                    : hostnames.Allocate(machine.Site, role.Name, machine.HardwareName);
                Add(pool.Name, machine, PhysicalActions.Install, "reimage", hostname, parameters,
                    before: new() { ["role"] = machine.Role, ["image"] = machine.Image },
                    after: new() { ["role"] = role.Name, ["image"] = role.Image });
            }

            return batch;
        }

        private void AddRecycle(string pool, Machine machine, string reason) =>
            Add(pool, machine, PhysicalActions.Recycle, reason, machine.Hostname, Parameters(pool));

        private void Add(
            string pool,
            Machine machine,
            ChangeAction action,
            string reason,
            string? hostname,
            ImmutableSortedDictionary<string, string> parameters,
            JsonObject? before = null,
            JsonObject? after = null)
        {
            changes.Add(ProposedChange.Of(new PlannedChange
            {
                Id = string.Empty,
                Address = Address(pool),
                Provider = ProviderName,
                Action = action,
                Reason = reason,
                Machine = machine.HardwareName,
                Hostname = hostname,
                Site = machine.Site,
                Parameters = parameters,
                Before = before,
                After = after,
            }));
            touched.Add(machine);
        }

        private void GuardPool(string pool) => guardedPools.Add(pool);

        /// <summary>An install's parameters, one instance per pool (a large plan shares them).</summary>
        private ImmutableSortedDictionary<string, string> Parameters(PoolSpec pool, RoleSpec role) =>
            poolParameters ??= Sorted((PhysicalPlanner.Parameters.Image, role.Image), (PhysicalPlanner.Parameters.Pool, pool.Name), (PhysicalPlanner.Parameters.Role, role.Name));

        /// <summary>A recycle's parameters, one instance per pool.</summary>
        private ImmutableSortedDictionary<string, string> Parameters(string pool) =>
            recycleParameters.TryGetValue(pool, out var parameters)
                ? parameters
                : recycleParameters[pool] = Sorted((PhysicalPlanner.Parameters.Pool, pool));

        /// <summary>Built in place by a builder: creating the dictionary from a range sorts it through temporary sets.</summary>
        private static ImmutableSortedDictionary<string, string> Sorted(params ReadOnlySpan<(string Key, string Value)> entries)
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in entries)
            {
                builder.Add(key, value);
            }

            return builder.ToImmutable();
        }

        private string Address(string pool) =>
            addresses.TryGetValue(pool, out var address) ? address : addresses[pool] = ResourceAddress.Pool(pool).ToString();

        private static Dictionary<string, int> CountPerRack(List<Machine> machines)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var machine in machines)
            {
                var rack = machine.Rack ?? string.Empty;
                counts[rack] = counts.GetValueOrDefault(rack) + 1;
            }

            return counts;
        }
    }
}
