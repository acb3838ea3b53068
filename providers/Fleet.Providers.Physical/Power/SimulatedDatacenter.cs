using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Fleet.Engine.Inventory;

namespace Fleet.Providers.Physical.Power;

/// <summary>
/// The timings and failure rate of one simulated site (fleet.yaml: <c>power: { driver: simulated,
/// installSeconds, recycleSeconds, failureRate }</c>). <see cref="Seed"/> makes failures reproducible.
/// </summary>
public sealed record SimulatedSiteOptions(TimeSpan InstallTime, TimeSpan RecycleTime, double FailureRate, int Seed)
{
    public static SimulatedSiteOptions Default { get; } = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 0, 0);
}

/// <summary>
/// NOT REAL HARDWARE. A simulated BMC and machine per serial, for the quickstart, tests and
/// benchmarks: power state, a one-time PXE override, and an installer or sanitizer that runs for the
/// site's configured time after a network boot and then succeeds or fails. Whether the n-th network
/// boot of a machine fails depends only on the seed, the serial and n, so runs are reproducible
/// whatever the scheduling. Machines start powered off.
/// </summary>
public sealed class SimulatedDatacenter(SimulatedSiteOptions options, TimeProvider clock) : IPowerDriver, IBootTaskCompletions
{
    private readonly ConcurrentDictionary<string, SimulatedMachine> machines = new(StringComparer.Ordinal);

    public string Name => "simulated";

    public bool IsRealHardware => false;

    public SimulatedSiteOptions Options => options;

    /// <summary>How many network boots each machine made; for tests.</summary>
    public int BootsOf(string serial) => Get(serial).Boots;

    public Task<PowerState> GetPowerStateAsync(Machine machine, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        lock (simulated)
        {
            return Task.FromResult(simulated.On ? PowerState.On : PowerState.Off);
        }
    }

    public Task PowerOnAsync(Machine machine, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        lock (simulated)
        {
            if (!simulated.On)
            {
                Boot(machine.HardwareName, simulated);
            }
        }

        return Task.CompletedTask;
    }

    public Task PowerOffAsync(Machine machine, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        lock (simulated)
        {
            simulated.On = false;
            simulated.Task = null;
        }

        return Task.CompletedTask;
    }

    public Task PowerCycleAsync(Machine machine, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        lock (simulated)
        {
            Boot(machine.HardwareName, simulated);
        }

        return Task.CompletedTask;
    }

    public Task SetOneTimePxeBootAsync(Machine machine, BootImage image, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        lock (simulated)
        {
            simulated.PxeOnce = image;
        }

        return Task.CompletedTask;
    }

    public async Task<BootTaskOutcome?> WaitAsync(Machine machine, BootImage image, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var simulated = Get(machine.HardwareName);
        RunningTask? task;
        lock (simulated)
        {
            task = simulated.Task;
        }

        if (task is null || task.Image != image)
        {
            await DelayUntilAsync(deadline, cancellationToken);
            return null;
        }

        if (task.EndsAt > deadline)
        {
            await DelayUntilAsync(deadline, cancellationToken);
            return null;
        }

        await DelayUntilAsync(task.EndsAt, cancellationToken);
        return task.Outcome;
    }

    private void Boot(string serial, SimulatedMachine simulated)
    {
        simulated.On = true;
        simulated.Task = null;
        if (simulated.PxeOnce is not { } image)
        {
            return; // boots from its disk: nothing to wait for
        }

        simulated.PxeOnce = null;
        simulated.Boots++;
        var duration = image == BootImage.Installer ? options.InstallTime : options.RecycleTime;
        var fails = FailsOnBoot(serial, simulated.Boots);
        var what = image == BootImage.Installer ? "installer" : "sanitizer";
        simulated.Task = new RunningTask(
            image,
            clock.GetUtcNow() + duration,
            fails ? BootTaskOutcome.Failure($"simulated {what} failure on {serial} (boot {simulated.Boots})") : BootTaskOutcome.Success);
    }

    /// <summary>
    /// Whether the <paramref name="boot"/>-th network boot (from 1) of a machine fails: fixed by the
    /// seed, the serial and the count, so tests can pick a seed that fails the machines they want.
    /// </summary>
    public bool FailsOnBoot(string serial, int boot) => Draw(serial, boot) < options.FailureRate;

    /// <summary>A uniform number in [0, 1) from the seed, the serial and the boot count.</summary>
    private double Draw(string serial, int boot)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Seed}/{serial}/{boot}"));
        return (BitConverter.ToUInt64(hash, 0) >> 11) / (double)(1UL << 53);
    }

    private async Task DelayUntilAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var wait = at - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken);
        }
    }

    private SimulatedMachine Get(string serial) => machines.GetOrAdd(serial, _ => new SimulatedMachine());

    private sealed class SimulatedMachine
    {
        public bool On { get; set; }

        public BootImage? PxeOnce { get; set; }

        public RunningTask? Task { get; set; }

        public int Boots { get; set; }
    }

    private sealed record RunningTask(BootImage Image, DateTimeOffset EndsAt, BootTaskOutcome Outcome);
}
