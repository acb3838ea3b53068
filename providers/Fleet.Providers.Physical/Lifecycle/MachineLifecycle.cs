using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Physical.Planning;
using Fleet.Providers.Physical.Power;

namespace Fleet.Providers.Physical.Lifecycle;

/// <summary>
/// How long an install or a sanitize may take before the attempt counts as failed: these timeouts,
/// or a site's own in <see cref="Sites"/>.
/// </summary>
public sealed record LifecycleOptions(TimeSpan InstallTimeout, TimeSpan RecycleTimeout)
{
    /// <summary>Real hardware: an OS install may take an hour, a disk sanitize half of one.</summary>
    public static LifecycleOptions Default { get; } = new(TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(30));

    /// <summary>Timeouts of a site that differ from these, by site name.</summary>
    public ImmutableDictionary<string, LifecycleOptions> Sites { get; init; } = ImmutableDictionary<string, LifecycleOptions>.Empty;

    /// <summary>The timeouts that apply to a machine of <paramref name="site"/>.</summary>
    public LifecycleOptions At(string site) => Sites.GetValueOrDefault(site) ?? this;

    /// <summary>The timeouts of every site of a fleet (<see cref="ForSite"/>).</summary>
    public static LifecycleOptions ForFleet(FleetSpec fleet) =>
        Default with { Sites = fleet.Sites.ToImmutableDictionary(s => s.Name, ForSite, StringComparer.Ordinal) };

    /// <summary>
    /// A site's timeouts: <c>installTimeoutSeconds</c> and <c>recycleTimeoutSeconds</c> when its
    /// power section sets them; otherwise those of real hardware, or for a simulated site generous
    /// multiples of its simulated times (<see cref="ForSimulated"/>).
    /// </summary>
    public static LifecycleOptions ForSite(SiteSpec site)
    {
        var power = site.Power();
        var baseline = power.Driver == PowerSpec.Simulated
            ? ForSimulated(
                power.InstallSeconds is { } install ? TimeSpan.FromSeconds(install) : SimulatedSiteOptions.Default.InstallTime,
                power.RecycleSeconds is { } recycle ? TimeSpan.FromSeconds(recycle) : SimulatedSiteOptions.Default.RecycleTime)
            : Default;
        return new(
            power.InstallTimeoutSeconds is { } installTimeout ? TimeSpan.FromSeconds(installTimeout) : baseline.InstallTimeout,
            power.RecycleTimeoutSeconds is { } recycleTimeout ? TimeSpan.FromSeconds(recycleTimeout) : baseline.RecycleTimeout);
    }

    /// <summary>Timeouts for simulated sites: generous multiples of their configured times.</summary>
    public static LifecycleOptions ForSimulated(TimeSpan installTime, TimeSpan recycleTime) =>
        new(TimeSpan.FromTicks(Math.Max(installTime.Ticks * 5, TimeSpan.FromSeconds(5).Ticks)),
            TimeSpan.FromTicks(Math.Max(recycleTime.Ticks * 5, TimeSpan.FromSeconds(5).Ticks)));
}

/// <summary>
/// The install and recycle lifecycles of DESIGN.md over the inventory and a site's BMC. Each attempt
/// starts from whatever the inventory says, so re-running it after a crash continues where it stopped:
/// the state change is recorded first (available → installing), then the one-time PXE boot is set,
/// the machine is power-cycled (powered on only when the BMC confirms it is off), the installer's
/// completion is awaited up to a timeout, and the machine becomes in_use. Recycle is the same with
/// the sanitize image, ending available with its hostname released. When an install has failed its
/// whole retry budget, the machine is marked broken and a replacement of the same hardware at the
/// same site is claimed for the pool, as long as one is available that no planned change or
/// unfinished job has reserved (<paramref name="reservations"/>, shared by every process).
/// </summary>
public sealed class MachineLifecycle(IInventoryStore inventory, ITargetReservations reservations, PowerDrivers power, LifecycleOptions options, TimeProvider clock)
{
    /// <summary>How often a compare-and-swap that lost a race is re-read and retried within one attempt.</summary>
    private const int ConflictRetries = 5;

    /// <summary>
    /// Gives up on a change whose every attempt failed: a machine this change claimed becomes broken
    /// and, for an install, a replacement is claimed and returned as the install that takes over.
    /// </summary>
    public async Task<PlannedChange?> GiveUpAsync(PlannedChange change, int attempts, string error, AuditContext audit, CancellationToken cancellationToken)
    {
        var machine = await GetAsync(Serial(change), cancellationToken);
        var expected = change.Action == PhysicalActions.Install ? MachineState.Installing : MachineState.Recycling;
        if (machine.State != expected || machine.Pool != Pool(change))
        {
            return null; // not ours to break: the attempt failed before the machine was claimed
        }

        var why = $"{change.Action} failed {attempts} times: {error}";
        await inventory.TransitionAsync(MachineTransition.From(machine, MachineState.Broken), audit with { Reason = why }, cancellationToken);
        return change.Action == PhysicalActions.Install
            ? await ClaimReplacementAsync(change, machine, audit with { Reason = $"replacement for broken {machine.HardwareName}" }, cancellationToken)
            : null;
    }

    public async Task<ChangeResult> InstallAsync(PlannedChange change, AuditContext audit, CancellationToken cancellationToken)
    {
        var machine = await ClaimForInstallAsync(change, audit, cancellationToken);
        if (machine.State == MachineState.InUse)
        {
            return ChangeResult.AlreadyApplied($"{machine.HardwareName} is already installed as {machine.Hostname}"); // by an earlier run
        }

        await BootAsync(machine, BootImage.Installer, options.At(machine.Site).InstallTimeout, audit.JobId, cancellationToken);
        await MoveAsync(machine, MachineState.InUse, audit, cancellationToken);
        return ChangeResult.Applied($"{machine.HardwareName} installed as {machine.Hostname}");
    }

    public async Task<ChangeResult> RecycleAsync(PlannedChange change, AuditContext audit, CancellationToken cancellationToken)
    {
        var machine = await GetAsync(Serial(change), cancellationToken);
        switch (machine.State)
        {
            case MachineState.Available:
                return ChangeResult.AlreadyApplied($"{machine.HardwareName} is already recycled"); // by an earlier run
            case MachineState.InUse or MachineState.Broken:
                machine = await inventory.TransitionAsync(MachineTransition.From(machine, MachineState.Recycling), audit, cancellationToken);
                break;
            case MachineState.Recycling:
                break;
            default:
                throw new FleetException($"machine {machine.HardwareName} is {machine.State.ToWire()}; only in_use or broken machines are recycled");
        }

        await BootAsync(machine, BootImage.Sanitize, options.At(machine.Site).RecycleTimeout, audit.JobId, cancellationToken);
        await MoveAsync(machine, MachineState.Available, audit, cancellationToken);
        return ChangeResult.Applied($"{machine.HardwareName} recycled");
    }

    /// <summary>
    /// Records the install before anything touches the machine: available (or in_use, for a reimage)
    /// becomes installing with the pool's role, image and hostname. A machine already installing for
    /// this pool is resumed; one already in_use with exactly these assignments is done.
    /// </summary>
    private async Task<Machine> ClaimForInstallAsync(PlannedChange change, AuditContext audit, CancellationToken cancellationToken)
    {
        var (pool, role, image) = (Pool(change), Parameter(change, PhysicalPlanner.Parameters.Role), Parameter(change, PhysicalPlanner.Parameters.Image));
        for (var conflict = 0; ; conflict++)
        {
            var machine = await GetAsync(Serial(change), cancellationToken);
            var ours = machine.Pool == pool;
            switch (machine.State)
            {
                case MachineState.InUse when ours && machine.Role == role && machine.Image == image:
                case MachineState.Installing when ours:
                    return machine;
                case MachineState.Available:
                case MachineState.InUse when ours:
                    break;
                default:
                    throw new FleetException($"machine {machine.HardwareName} is {machine.State.ToWire()}{(machine.Pool is null ? "" : $" in pool {machine.Pool}")}; it cannot be installed for pool {pool}");
            }

            var hostname = machine.State == MachineState.InUse && machine.Role == role && machine.Hostname is not null
                ? machine.Hostname
                : change.Hostname ?? HostnameAllocator.Candidate(machine.Site, role, machine.HardwareName, 0);
            try
            {
                return await ClaimAsync(machine, hostname, pool, role, image, audit, cancellationToken);
            }
            catch (ConcurrencyConflictException) when (conflict < ConflictRetries)
            {
                // Someone changed the machine meanwhile: re-read and decide again.
            }
        }
    }

    /// <summary>Moves a machine to installing; a hostname someone else took moves on to the next candidate.</summary>
    private async Task<Machine> ClaimAsync(Machine machine, string hostname, string pool, string role, string image, AuditContext audit, CancellationToken cancellationToken)
    {
        for (var candidate = 1; ; candidate++)
        {
            try
            {
                return await inventory.TransitionAsync(
                    new MachineTransition(machine.HardwareName, machine.Version, MachineState.Installing, hostname, role, pool, image), audit, cancellationToken);
            }
            catch (ConcurrencyConflictException e) when (e.Hostname is not null && candidate < 100)
            {
                hostname = HostnameAllocator.Candidate(machine.Site, role, machine.HardwareName, candidate);
            }
        }
    }

    /// <summary>A new attempt of the task, one-time PXE boot into <paramref name="image"/>, power cycle, and wait for the task to report back.</summary>
    private async Task BootAsync(Machine machine, BootImage image, TimeSpan timeout, string? jobId, CancellationToken cancellationToken)
    {
        var hardware = power.ForSite(machine.Site);
        await hardware.Completions.BeginAsync(machine, image, jobId, cancellationToken);
        await hardware.Power.SetOneTimePxeBootAsync(machine, image, cancellationToken);
        switch (await hardware.Power.GetPowerStateAsync(machine, cancellationToken))
        {
            case PowerState.On:
                await hardware.Power.PowerCycleAsync(machine, cancellationToken);
                break;
            case PowerState.Off:
                await hardware.Power.PowerOnAsync(machine, cancellationToken);
                break;
            default:
                throw new FleetException($"the BMC of {machine.HardwareName} did not report its power state; not powering it on");
        }

        var what = image == BootImage.Installer ? "install" : "sanitize";
        var outcome = await hardware.Completions.WaitAsync(machine, image, clock.GetUtcNow() + timeout, cancellationToken)
            ?? throw new FleetException(string.Create(CultureInfo.InvariantCulture, $"{what} of {machine.HardwareName} did not complete within {timeout.TotalSeconds:0.###} s"));
        if (!outcome.Succeeded)
        {
            throw new FleetException($"{what} of {machine.HardwareName} failed: {outcome.Error}");
        }
    }

    /// <summary>
    /// Finishes a step: the machine as it was when the step began moves to <paramref name="to"/>. When
    /// someone changed it meanwhile it is re-read: already there is fine, anywhere else is an error.
    /// </summary>
    private async Task MoveAsync(Machine machine, MachineState to, AuditContext audit, CancellationToken cancellationToken)
    {
        var from = machine.State;
        for (var conflict = 0; ; conflict++)
        {
            try
            {
                await inventory.TransitionAsync(MachineTransition.From(machine, to), audit, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException) when (conflict < ConflictRetries)
            {
                machine = await GetAsync(machine.HardwareName, cancellationToken);
                if (machine.State == to)
                {
                    return;
                }

                if (machine.State != from)
                {
                    throw new FleetException($"machine {machine.HardwareName} became {machine.State.ToWire()} while it was being {(from == MachineState.Installing ? "installed" : "recycled")}");
                }
            }
        }
    }

    /// <summary>
    /// Claims an available machine of the broken one's site and hardware for the same pool, in serial
    /// order, passing over those reserved (planned for a change of the running apply, or the target of
    /// an unfinished job, whichever process holds it); one that another apply or worker claims first
    /// is passed over too. Null when none is left.
    /// </summary>
    private async Task<PlannedChange?> ClaimReplacementAsync(PlannedChange change, Machine broken, AuditContext audit, CancellationToken cancellationToken)
    {
        var (pool, role, image) = (Pool(change), Parameter(change, PhysicalPlanner.Parameters.Role), Parameter(change, PhysicalPlanner.Parameters.Image));
        var available = await inventory.ListMachinesAsync(new MachineFilter(Site: broken.Site, State: MachineState.Available, HardwareType: broken.HardwareType), cancellationToken);
        var free = (await reservations.UnreservedAsync(available.Select(m => m.HardwareName), cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var candidate in available.Where(c => free.Contains(c.HardwareName)))
        {
            try
            {
                var claimed = await ClaimAsync(candidate, HostnameAllocator.Candidate(candidate.Site, role, candidate.HardwareName, 0), pool, role, image, audit, cancellationToken);
                return change with { Machine = claimed.HardwareName, Hostname = claimed.Hostname, Reason = "replace" };
            }
            catch (ConcurrencyConflictException)
            {
                // Taken by someone else first.
            }
        }

        return null;
    }

    private async Task<Machine> GetAsync(string serial, CancellationToken cancellationToken) =>
        await inventory.GetMachineAsync(serial, cancellationToken) ?? throw new FleetException($"machine {serial} is not in the inventory") { Permanent = true };

    private static string Serial(PlannedChange change) =>
        change.Machine ?? throw new FleetException($"change {change.Id} ({change.Address}) names no machine");

    private static string Pool(PlannedChange change) => Parameter(change, PhysicalPlanner.Parameters.Pool);

    private static string Parameter(PlannedChange change, string name) =>
        change.Parameters.TryGetValue(name, out var value) ? value : throw new FleetException($"change {change.Id} ({change.Address}) lacks the parameter '{name}'");
}
