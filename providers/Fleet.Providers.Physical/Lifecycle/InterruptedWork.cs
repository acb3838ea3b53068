using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Inventory;
using Fleet.Engine.Planning;
using Fleet.Providers.Physical.Planning;

namespace Fleet.Providers.Physical.Lifecycle;

/// <summary>
/// Machines an earlier apply left half-way (installing or recycling) when it was killed. Apply runs
/// these first, before planning, so that nothing stays in a transitional state: an install resumes
/// with the assignments the inventory recorded, a recycle resumes its sanitize. Machines whose job a
/// live worker still holds are left to it.
/// </summary>
public static class InterruptedWork
{
    public const string IdPrefix = "resume-";

    public static ImmutableArray<PlannedChange> Find(IEnumerable<Machine> machines, IReadOnlySet<string> heldByLiveWorkers)
    {
        var changes = ImmutableArray.CreateBuilder<PlannedChange>();
        foreach (var machine in machines.OrderBy(m => m.HardwareName, StringComparer.Ordinal))
        {
            if (heldByLiveWorkers.Contains(machine.HardwareName) || machine.Pool is null)
            {
                continue;
            }

            var id = IdPrefix + (changes.Count + 1).ToString(CultureInfo.InvariantCulture);
            var change = machine.State switch
            {
                MachineState.Installing when machine.Role is not null && machine.Image is not null => Change(id, machine, PhysicalActions.Install) with
                {
                    Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                        KeyValuePair.Create(PhysicalPlanner.Parameters.Image, machine.Image),
                        KeyValuePair.Create(PhysicalPlanner.Parameters.Pool, machine.Pool),
                        KeyValuePair.Create(PhysicalPlanner.Parameters.Role, machine.Role),
                    ]),
                },
                MachineState.Recycling => Change(id, machine, PhysicalActions.Recycle),
                _ => null,
            };
            if (change is not null)
            {
                changes.Add(change);
            }
        }

        return changes.ToImmutable();
    }

    private static PlannedChange Change(string id, Machine machine, ChangeAction action) => new()
    {
        Id = id,
        Address = ResourceAddress.Pool(machine.Pool ?? string.Empty).ToString(),
        Provider = PhysicalPlanner.ProviderName,
        Action = action,
        Reason = "resume",
        Machine = machine.HardwareName,
        Hostname = machine.Hostname,
        Site = machine.Site,
        Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(PhysicalPlanner.Parameters.Pool, machine.Pool!)]),
    };
}
