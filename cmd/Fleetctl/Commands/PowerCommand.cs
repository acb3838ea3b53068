using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.Providers.Physical.Power.Redfish;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl power status|on|off|cycle|pxe SERIAL...</c>: an operator drives machines' BMCs
/// directly, with their site's driver and credentials from fleet.yaml and their BMC addresses from
/// the inventory. Every machine is checked before any is touched (known, has a BMC, its site can
/// control power, <c>--force</c> where a system or a job would be interrupted); then all run in
/// parallel, each reported on its own line, failures together at the end (exit 1).
/// </summary>
public static class PowerCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var command = new Command("power", "Control machines' power and boot through their BMCs (ipmi and redfish sites).");
        command.Subcommands.Add(CreateStatus(global, host));
        command.Subcommands.Add(Create(global, host, new("on", "Power machines on.", "powered on", Interrupts: false,
            (driver, machine, ct) => driver.PowerOnAsync(machine, ct))));
        command.Subcommands.Add(Create(global, host, new("off", "Power machines off, at once (not a clean shutdown).", "powered off", Interrupts: true,
            (driver, machine, ct) => driver.PowerOffAsync(machine, ct))));
        command.Subcommands.Add(Create(global, host, new("cycle", "Power cycle machines; one that is off is powered on.", "power cycled", Interrupts: true,
            (driver, machine, ct) => driver.PowerCycleAsync(machine, ct))));
        command.Subcommands.Add(Create(global, host, new("pxe", "Boot machines from the network once, at their next boot (no reboot).", "next boot from the network", Interrupts: true,
            (driver, machine, ct) => driver.SetOneTimePxeBootAsync(machine, BootImage.Installer, ct))));
        return command;
    }

    /// <summary>A power subcommand: what it does to one machine, what it prints after, and whether it needs --force on a machine in use or in a job.</summary>
    private sealed record PowerAction(string Name, string Description, string Done, bool Interrupts, Func<IPowerDriver, Machine, CancellationToken, Task> Run);

    private static Command CreateStatus(GlobalOptions global, CliHost host)
    {
        var serials = Serials();
        var timeout = Timeout();
        var format = InventoryCommand.FormatOption("text", "text", "json");
        var command = new Command("status", "Print each machine's power state as its BMC reports it.") { serials, timeout, format };
        command.SetAction(async (parse, ct) =>
        {
            var results = await RunAsync(global, parse, host, parse.GetValue(serials)!, parse.GetValue(timeout), force: null, async (driver, machine, token) =>
                (await driver.GetPowerStateAsync(machine, token)) switch
                {
                    PowerState.On => "on",
                    PowerState.Off => "off",
                    _ => "unknown",
                }, ct);
            await (parse.GetValue(format) == "json" ? WriteJsonAsync(host.Out, results) : WriteLinesAsync(host.Out, results));
            return Finish(results);
        });
        return command;
    }

    private static Command Create(GlobalOptions global, CliHost host, PowerAction action)
    {
        var serials = Serials();
        var timeout = Timeout();
        var force = new Option<bool>("--force") { Description = "Also act on machines that are in_use, installing or recycling (interrupting their system or job)." };
        var command = new Command(action.Name, action.Description) { serials, timeout };
        if (action.Interrupts)
        {
            command.Options.Add(force);
        }

        command.SetAction(async (parse, ct) =>
        {
            var results = await RunAsync(global, parse, host, parse.GetValue(serials)!, parse.GetValue(timeout), action.Interrupts ? (action.Name, parse.GetValue(force)) : null,
                async (driver, machine, token) =>
                {
                    await action.Run(driver, machine, token);
                    return action.Done;
                }, ct);
            await WriteLinesAsync(host.Out, results);
            return Finish(results);
        });
        return command;
    }

    /// <summary>One machine's outcome: what to print, or why it failed.</summary>
    private sealed record Outcome(Machine Machine, string? Result, FleetException? Error);

    private static async Task<ImmutableArray<Outcome>> RunAsync(GlobalOptions global, ParseResult parse, CliHost host, string[] serials, double? seconds, (string Verb, bool Given)? force,
        Func<IPowerDriver, Machine, CancellationToken, Task<string>> operation, CancellationToken cancellationToken)
    {
        if (seconds is { } given && !(given > 0 && given <= 600))
        {
            throw new FleetException("--timeout: give the seconds to wait for each answer of a BMC, more than 0 and at most 600");
        }

        var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, cancellationToken);
        var machines = new List<Machine>();
        var problems = new List<Diagnostic>();
        await using (database)
        {
            foreach (var serial in serials.Distinct(StringComparer.Ordinal))
            {
                if (await database.Inventory.GetMachineAsync(serial, cancellationToken) is { } machine)
                {
                    machines.Add(machine);
                }
                else
                {
                    problems.Add(Diagnostic.Error($"machine {serial} is not in the inventory"));
                }
            }
        }

        foreach (var machine in machines)
        {
            if (force is { Given: false } && machine.State is MachineState.InUse or MachineState.Installing or MachineState.Recycling)
            {
                var what = machine.State == MachineState.InUse ? "the system running on it" : $"its {(machine.State == MachineState.Installing ? "install" : "recycle")} job";
                problems.Add(Diagnostic.Error($"machine {machine.HardwareName} is {machine.State.ToWire()}: power {force.Value.Verb} would interrupt {what}; add --force to do it anyway"));
            }

            if (machine.Bmc is null)
            {
                problems.Add(Diagnostic.Error($"machine {machine.HardwareName} has no BMC address in the inventory"));
            }
        }

        var fleetDirectory = global.FleetDirectory(parse, host);
        var ipmi = seconds is { } s ? IpmiOptions.Default with { AttemptTimeout = TimeSpan.FromSeconds(s) } : IpmiOptions.Default;
        var redfish = seconds is { } r ? RedfishOptions.Default with { RequestTimeout = TimeSpan.FromSeconds(r) } : RedfishOptions.Default;
        var drivers = new Dictionary<string, IPowerDriver>(StringComparer.Ordinal);
        foreach (var siteName in machines.Select(m => m.Site).Distinct(StringComparer.Ordinal))
        {
            var site = desired.Fleet.Sites.FirstOrDefault(s => s.Name == siteName);
            try
            {
                drivers[siteName] = site is null
                    ? throw new FleetException($"site {siteName} (of machine {machines.First(m => m.Site == siteName).HardwareName}) is not declared in fleet.yaml")
                    : PowerDrivers.Control(site, fleetDirectory, host.GetEnvironment, ipmi, redfish, host.Clock);
            }
            catch (FleetException e)
            {
                problems.AddRange(e.Diagnostics);
            }
        }

        try
        {
            if (problems.Count > 0)
            {
                throw new FleetException(problems);
            }

            return [.. await Task.WhenAll(machines.Select(async machine =>
            {
                try
                {
                    return new Outcome(machine, await operation(drivers[machine.Site], machine, cancellationToken), null);
                }
                catch (FleetException e)
                {
                    return new Outcome(machine, null, e);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A driver fault on one machine must not hide what was done to the others.
                    return new Outcome(machine, null, new FleetException($"machine {machine.HardwareName}: {e.GetType().Name}: {e.Message}"));
                }
            }))];
        }
        finally
        {
            foreach (var driver in drivers.Values.OfType<IDisposable>())
            {
                driver.Dispose();
            }
        }
    }

    /// <summary>Exit 0 when every machine did as asked; otherwise every failure, together.</summary>
    private static int Finish(ImmutableArray<Outcome> outcomes)
    {
        var failures = outcomes.Where(o => o.Error is not null).SelectMany(o => o.Error!.Diagnostics).ToList();
        return failures.Count == 0 ? ExitCodes.Success : throw new FleetException(failures);
    }

    private static async Task WriteLinesAsync(TextWriter output, ImmutableArray<Outcome> outcomes)
    {
        var done = outcomes.Where(o => o.Result is not null).ToList();
        var serialWidth = done.Select(o => o.Machine.HardwareName.Length).DefaultIfEmpty(0).Max();
        var bmcWidth = done.Select(o => Bmc(o.Machine).Length).DefaultIfEmpty(0).Max();
        var text = new StringBuilder();
        foreach (var outcome in done)
        {
            text.Append(CultureInfo.InvariantCulture, $"{outcome.Machine.HardwareName.PadRight(serialWidth)}  {Bmc(outcome.Machine).PadRight(bmcWidth)}  {outcome.Result}\n");
        }

        await output.WriteAsync(text.ToString());
    }

    private static async Task WriteJsonAsync(TextWriter output, ImmutableArray<Outcome> outcomes)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var outcome in outcomes.Where(o => o.Result is not null))
            {
                json.WriteStartObject();
                json.WriteString("hardwareName", outcome.Machine.HardwareName);
                json.WriteString("site", outcome.Machine.Site);
                json.WriteString("bmc", Bmc(outcome.Machine));
                json.WriteString("power", outcome.Result);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>The BMC as the inventory has it: address, and port when one is recorded.</summary>
    private static string Bmc(Machine machine) =>
        machine.Bmc is { } bmc ? (bmc.Port is { } port ? string.Create(CultureInfo.InvariantCulture, $"{bmc.Address}:{port}") : bmc.Address) : "-";

    private static Argument<string[]> Serials() => new("serial") { Description = "The machines' hardware names (serial numbers).", Arity = ArgumentArity.OneOrMore };

    private static Option<double?> Timeout() => new("--timeout")
    {
        Description = "Seconds to wait for each answer of a BMC: an IPMI request is sent 3 times in all (default 2), a Redfish request once (default 30).",
    };
}
