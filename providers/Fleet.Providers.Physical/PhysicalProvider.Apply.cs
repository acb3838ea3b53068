using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Lifecycle;
using Fleet.Providers.Physical.Planning;
using Fleet.Providers.Physical.Power;

namespace Fleet.Providers.Physical;

public sealed partial class PhysicalProvider
{
    /// <summary>
    /// The provider as apply and <c>fleetctl worker</c> build it: planning plus the install and recycle
    /// lifecycle over every site's power driver. A real BMC site whose driver cannot be built (missing
    /// credentials) is refused here, with its location in fleet.yaml, before anything is applied. <c>plan</c> builds the
    /// provider without all this (<see cref="PhysicalProvider(IInventoryStore, MachineLifecycle?)"/>).
    /// </summary>
    /// <param name="simulatedSeed">Seed of the simulated sites' failures, for reproducible runs.</param>
    public static PhysicalProvider ForApply(IInventoryStore inventory, ITargetReservations reservations, FleetSpec fleet, RealHardware real, TimeProvider clock, int simulatedSeed) =>
        new(inventory, new MachineLifecycle(inventory, reservations, PowerDrivers.FromFleet(fleet, real, clock, simulatedSeed), LifecycleOptions.ForFleet(fleet), clock));

    /// <summary>Installs or recycles the change's machine through the lifecycle; a failed attempt is a failed result.</summary>
    public async Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken)
    {
        var machines = Lifecycle(change);
        try
        {
            return change.Action switch
            {
                var action when action == PhysicalActions.Install => await machines.InstallAsync(change, Audit(context, PhysicalActions.Install.Name), cancellationToken),
                var action when action == PhysicalActions.Recycle => await machines.RecycleAsync(change, Audit(context, PhysicalActions.Recycle.Name), cancellationToken),
                _ => ChangeResult.FailedPermanently($"change {change.Id} ({change.Address}): the physical provider does not apply {change.Action} changes"),
            };
        }
        catch (FleetException e)
        {
            return new ChangeResult(ChangeStatus.Failed, string.Join("; ", e.Diagnostics.Select(d => d.Message))) { Permanent = e.Permanent };
        }
    }

    /// <summary>An install that failed every attempt breaks its machine and hands over to an install on a replacement, when one is free.</summary>
    public Task<PlannedChange?> GiveUpAsync(PlannedChange change, ApplyContext context, string error, CancellationToken cancellationToken) =>
        Lifecycle(change).GiveUpAsync(change, context.Attempt, error, Audit(context, "give up"), cancellationToken);

    private MachineLifecycle Lifecycle(PlannedChange change) =>
        lifecycle ?? throw new InvalidOperationException($"change {change.Id}: this physical provider was built for planning only; build it with {nameof(ForApply)} to apply changes");

    private static AuditContext Audit(ApplyContext context, string reason) => new(context.Requester, reason, context.JobId, context.Commit);
}
