using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Physical;

public sealed partial class PhysicalProvider
{
    /// <summary>Install and recycle jobs run through the executor and the power drivers; this build plans only.</summary>
    public Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken) =>
        throw new FleetException($"change {change.Id} ({change.Action.ToWire()} {change.Machine}): applying physical changes is not available in this build");
}
