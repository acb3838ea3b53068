using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Tests.Shared;

/// <summary>
/// One real IPMI v2.0 LAN BMC: OpenIPMI's ipmi_sim on a loopback UDP port. Power and boot requests
/// reach a chassis_control script that keeps the state in files (<c>power</c>: 0 or 1, <c>boot</c>:
/// e.g. pxe) and appends every change to <c>events.log</c>, which is what tests assert on.
/// </summary>
public sealed class SimulatedBmc(string directory, int port)
{
    public const string User = "admin";
    public const string Password = "s3cret-Passw0rd";

    public int Port { get; } = port;

    public string Address => "127.0.0.1";

    public string Endpoint => $"127.0.0.1:{Port}";

    private string Chassis => Path.Combine(directory, "chassis");

    /// <summary>Whether the machine behind this BMC is on, as the chassis script last recorded it.</summary>
    public bool PoweredOn => Read("power") == "1";

    /// <summary>The boot device the BMC was last told (pxe), or null.</summary>
    public string? BootDevice => Read("boot");

    /// <summary>Every change the BMC made, oldest first: <c>power 1</c>, <c>power 0</c>, <c>boot pxe</c>.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            var log = Path.Combine(Chassis, "events.log");
            return File.Exists(log)
                ? [.. File.ReadAllLines(log).Select(l => l[(l.IndexOf(' ', StringComparison.Ordinal) + 1)..])]
                : [];
        }
    }

    /// <summary>Puts the machine in a power state without telling anyone, and forgets the events so far.</summary>
    public void Reset(bool poweredOn)
    {
        File.WriteAllText(Path.Combine(Chassis, "power"), poweredOn ? "1\n" : "0\n");
        File.Delete(Path.Combine(Chassis, "boot"));
        File.Delete(Path.Combine(Chassis, "events.log"));
    }

    private string? Read(string name)
    {
        var file = Path.Combine(Chassis, name);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }
}

/// <summary>
/// Several <see cref="SimulatedBmc"/>s, each its own ipmi_sim process on a free loopback port, with
/// the user <see cref="SimulatedBmc.User"/> (administrator). Disposing stops every process it started
/// by its PID; so does the end of the test process, should disposal never run.
/// Without ipmi_sim the tests fail with a message saying how to get it.
/// </summary>
public sealed class SimulatedBmcs : IAsyncDisposable
{
    private const string ChassisScript = """
        #!/bin/sh
        # ipmi_sim runs "<script> <dir> get power boot" (answer "power:0|1") and "<script> <dir> set power 1 boot pxe ..."
        S=$1; shift; op=$1; shift
        case "$op" in
          get) for n in "$@"; do
                 if [ -f "$S/$n" ]; then v=$(cat "$S/$n"); else case $n in boot) v=default;; *) v=0;; esac; fi
                 echo "$n:$v"; done ;;
          set) while [ $# -ge 2 ]; do
                 case $1 in reset|shutdown|identify) ;; *) echo "$2" > "$S/$1";; esac
                 echo "$(date +%s.%N) $1 $2" >> "$S/events.log"; shift 2; done ;;
        esac
        exit 0

        """;

    private readonly string root;
    private readonly List<Process> processes = [];

    private SimulatedBmcs(string root)
    {
        this.root = root;
        AppDomain.CurrentDomain.ProcessExit += StopOnExit;
    }

    public IReadOnlyList<SimulatedBmc> Bmcs { get; private set; } = [];

    public static async Task<SimulatedBmcs> StartAsync(int count)
    {
        var simulator = FindOnPath("ipmi_sim");
        Assert.True(simulator is not null, "ipmi_sim is not installed; ./test.sh installs it (Debian packages openipmi and ipmitool)");
        var bmcs = new SimulatedBmcs(Directory.CreateTempSubdirectory("fleet-ipmi-").FullName);
        try
        {
            var script = Path.Combine(bmcs.root, "chassis.sh");
            await File.WriteAllTextAsync(script, ChassisScript);
            var started = new List<SimulatedBmc>();
            for (var i = 0; i < count; i++)
            {
                started.Add(await bmcs.StartOneAsync(simulator!, script, i));
            }

            bmcs.Bmcs = started;
            return bmcs;
        }
        catch
        {
            await bmcs.DisposeAsync();
            throw;
        }
    }

    /// <summary>A loopback UDP port where nothing listens.</summary>
    public static int UnusedPort() => FreeUdpPort();

    public async ValueTask DisposeAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= StopOnExit;
        foreach (var process in processes)
        {
            Stop(process);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
            }

            process.Dispose();
        }

        processes.Clear();
        Directory.Delete(root, recursive: true);
    }

    private async Task<SimulatedBmc> StartOneAsync(string simulator, string script, int index)
    {
        for (var tries = 0; ; tries++)
        {
            var port = FreeUdpPort();
            var directory = Path.Combine(root, $"bmc{index}-{port}");
            Directory.CreateDirectory(Path.Combine(directory, "state"));
            Directory.CreateDirectory(Path.Combine(directory, "chassis"));
            var guid = string.Create(CultureInfo.InvariantCulture, $"a123456789abcdefa123456789ab{port:x4}");
            await File.WriteAllTextAsync(Path.Combine(directory, "lan.conf"), $"""
                name "bmc{index}"
                set_working_mc 0x20
                  startlan 1
                    addr 127.0.0.1 {port}
                    priv_limit admin
                    allowed_auths_callback none md2 md5 straight
                    allowed_auths_user none md2 md5 straight
                    allowed_auths_operator none md2 md5 straight
                    allowed_auths_admin none md2 md5 straight
                    guid {guid}
                  endlan
                  chassis_control "/bin/sh {script} {Path.Combine(directory, "chassis")}"
                  user 2 true "{SimulatedBmc.User}" "{SimulatedBmc.Password}" admin 10 none md2 md5 straight

                """);
            await File.WriteAllTextAsync(Path.Combine(directory, "bmc.emu"),
                "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n");
            var start = new ProcessStartInfo(simulator) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            foreach (var argument in new[] { "-n", "-c", Path.Combine(directory, "lan.conf"), "-f", Path.Combine(directory, "bmc.emu"), "-s", Path.Combine(directory, "state") })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start)!;
            processes.Add(process);
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (await AnswersAsync(port, process))
            {
                return new SimulatedBmc(directory, port);
            }

            Assert.True(tries < 3, $"ipmi_sim did not answer on 127.0.0.1:{port}");
        }
    }

    /// <summary>
    /// Waits until the BMC answers Get Channel Authentication Capabilities (an IPMI v1.5 packet
    /// outside any session, written out byte by byte here so the fixture does not depend on the code
    /// under test). False when the process died (its port was taken meanwhile) or never answered.
    /// </summary>
    private static async Task<bool> AnswersAsync(int port, Process process)
    {
        byte[] probe = [0x06, 0x00, 0xFF, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, 0x20, 0x18, 0xC8, 0x81, 0x00, 0x38, 0x8E, 0x04, 0xB5];
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
        {
            await udp.SendAsync(probe, new IPEndPoint(IPAddress.Loopback, port));
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await udp.ReceiveAsync(wait.Token);
                return true;
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                // Not listening yet.
            }
        }

        return false;
    }

    private static int FreeUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(d => Path.Combine(d, tool))
            .FirstOrDefault(File.Exists);

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void StopOnExit(object? sender, EventArgs e)
    {
        foreach (var process in processes)
        {
            Stop(process);
        }
    }
}

/// <summary>Three real BMCs (ipmi_sim) for the tests of one class, stopped when they end, passed or failed.</summary>
public sealed class BmcFixture : IAsyncLifetime
{
    public SimulatedBmcs Simulators { get; private set; } = null!;

    public IReadOnlyList<SimulatedBmc> Bmcs => Simulators.Bmcs;

    public async Task InitializeAsync() => Simulators = await SimulatedBmcs.StartAsync(3);

    public async Task DisposeAsync()
    {
        if (Simulators is not null)
        {
            await Simulators.DisposeAsync();
        }
    }
}
