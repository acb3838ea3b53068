using System.Collections.Immutable;
using Fleet.Engine.Inventory;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical.Planning;

/// <summary>
/// The inventory's machines as they will be once a plan's physical changes ran, for the providers that
/// consume machines (<see cref="ProviderPlan.Machines"/>): an install puts its machine in use with the
/// hostname, pool and role it carries; a recycle makes it available with neither.
/// </summary>
public static class PhysicalProjection
{
    public static ImmutableArray<ProjectedMachine> After(ImmutableArray<Machine> machines, IEnumerable<PlannedChange> changes)
    {
        var bySerial = new Dictionary<string, PlannedChange>(StringComparer.Ordinal);
        foreach (var change in changes)
        {
            if (change.Machine is { } serial && (change.Action == PhysicalActions.Install || change.Action == PhysicalActions.Recycle))
            {
                bySerial[serial] = change; // the last change of a machine is the state it ends in
            }
        }

        var projected = ImmutableArray.CreateBuilder<ProjectedMachine>(machines.Length);
        foreach (var machine in machines)
        {
            var now = ProjectedMachine.Of(machine, PhysicalPlanner.ProviderName);
            projected.Add(!bySerial.TryGetValue(machine.HardwareName, out var change)
                ? now
                : change.Action == PhysicalActions.Install
                    ? now with
                    {
                        State = MachineState.InUse,
                        Hostname = change.Hostname ?? machine.Hostname,
                        Pool = change.Parameters.GetValueOrDefault(PhysicalPlanner.Parameters.Pool) ?? machine.Pool,
                        Role = change.Parameters.GetValueOrDefault(PhysicalPlanner.Parameters.Role) ?? machine.Role,
                    }
                    : now with { State = MachineState.Available, Hostname = null, Pool = null, Role = null });
        }

        return projected.MoveToImmutable();
    }
}
