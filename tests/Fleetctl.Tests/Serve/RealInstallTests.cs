using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fleet.Engine.Inventory;
using Fleet.Tests.Shared;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Serve;

/// <summary>
/// Installs on real BMCs end to end: an ipmi site whose machines' BMCs are ipmi_sim processes,
/// <c>fleetctl serve</c> on a loopback port, <c>fleetctl apply</c>, and a stand-in for the installer
/// that runs whenever a BMC was told to boot from the network and then powered on: it fetches the
/// machine's boot script from serve, takes the callback URL and token from its kernel command line,
/// and reports as the test tells it (success, failure, or nothing at all).
/// </summary>
public sealed partial class RealInstallTests : IAsyncLifetime
{
    private const string Role = """
        apiVersion: fleet/v1
        kind: Role
        name: web
        owner: web-team
        image: debian-12
        ---
        apiVersion: fleet/v1
        kind: Pool
        name: web-lon
        role: web
        backend: physical
        site: lon
        hardware: compute
        size: 2
        """;

    private SimulatedBmcs bmcs = null!;
    private TestFleet fleet = null!;

    public async Task InitializeAsync()
    {
        bmcs = await SimulatedBmcs.StartAsync(3);
        var recon = new JsonArray([.. bmcs.Bmcs.Select((b, i) => (JsonNode)new JsonObject
        {
            ["hardwareName"] = $"SN{i}",
            ["hardwareType"] = "compute",
            ["site"] = "lon",
            ["bmc"] = new JsonObject { ["address"] = b.Address, ["port"] = b.Port },
            ["interfaces"] = new JsonArray(new JsonObject { ["name"] = "eth0", ["mac"] = Mac(i) }),
        })]);
        fleet = TestFleet.Of(new Dictionary<string, string>
        {
            ["fleet.yaml"] = """
                apiVersion: fleet/v1
                kind: Fleet
                name: bmc
                sites:
                  - name: lon
                    domain: lon.example.net
                    networks: [10.1.0.0/16]
                    power: { driver: ipmi, username: admin, password: env:BMC_PASSWORD, installTimeoutSeconds: 3 }
                hardware:
                  - name: compute
                """,
            ["web.yaml"] = Role,
            ["recon.json"] = recon.ToJsonString(),
        });
        fleet.SetEnvironment("BMC_PASSWORD", SimulatedBmc.Password);
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon.json")).Exit);
        foreach (var bmc in bmcs.Bmcs)
        {
            bmc.Reset(poweredOn: false);
        }
    }

    public async Task DisposeAsync()
    {
        await bmcs.DisposeAsync();
        fleet.Dispose();
    }

    [Fact]
    public async Task Installers_that_call_back_through_serve_finish_the_install_on_real_bmcs()
    {
        await using var serve = await RunningServe.StartAsync(fleet);
        await using var installers = Installers.Start(bmcs, serve, (_, _) => Report.Success);

        var apply = await fleet.RunAsync("apply", "--auto-approve");

        Assert.True(apply.Exit == 0, apply.Out + apply.Err);
        var machines = await fleet.MachinesAsync();
        Assert.Equal([MachineState.InUse, MachineState.InUse, MachineState.Available], machines.OrderBy(m => m.HardwareName).Select(m => m.State));
        Assert.Equal(["boot pxe", "power 1"], bmcs.Bmcs[0].Events);
        Assert.Equal(["boot pxe", "power 1"], bmcs.Bmcs[1].Events);
        Assert.Empty(bmcs.Bmcs[2].Events);

        // Shrinking the pool recycles a machine: network boot into the sanitize image, which reports back the same way.
        await File.WriteAllTextAsync(Path.Combine(fleet.Directory, "web.yaml"), Role.Replace("size: 2", "size: 1", StringComparison.Ordinal));
        var shrink = await fleet.RunAsync("apply", "--auto-approve", "--force");

        Assert.True(shrink.Exit == 0, shrink.Out + shrink.Err);
        Assert.Equal([MachineState.Available, MachineState.InUse], (await fleet.MachinesAsync()).Where(m => m.HardwareName != "SN2").OrderBy(m => m.State).Select(m => m.State));
        Assert.Contains(installers.Scripts, s => s.Contains("sanitize/vmlinuz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_installer_that_fails_and_then_never_calls_back_breaks_its_machine_and_a_spare_takes_its_place()
    {
        await using var serve = await RunningServe.StartAsync(fleet);
        await using var installers = Installers.Start(bmcs, serve, (serial, boot) => (serial, boot) switch
        {
            ("SN1", 1) => Report.Failure,
            ("SN1", _) => Report.Nothing,
            _ => Report.Success,
        });

        var apply = await fleet.RunAsync("apply", "--auto-approve", "--max-attempts", "2", "--retry-delay", "100ms");

        var machines = (await fleet.MachinesAsync()).ToDictionary(m => m.HardwareName);
        Assert.Equal(MachineState.InUse, machines["SN0"].State);
        Assert.Equal(MachineState.Broken, machines["SN1"].State);
        Assert.Equal(MachineState.InUse, machines["SN2"].State);
        Assert.Equal(["boot pxe", "power 1", "boot pxe", "power 0", "power 1"], bmcs.Bmcs[1].Events); // retried: power cycled
        var output = apply.Out + apply.Err;
        Assert.Contains("install of SN1 failed: installer on SN1: no disk found", output, StringComparison.Ordinal);
        Assert.Contains("install of SN1 did not complete within 3 s", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stranger_on_the_provisioning_network_cannot_get_a_production_machine_power_cycled()
    {
        // Issue 15: a stranger registers with the BMC of a machine in use and a rack that sorts first,
        // hoping the next grow installs "it" and so power-cycles the victim.
        await using var serve = await RunningServe.StartAsync(fleet);
        await using var installers = Installers.Start(bmcs, serve, (_, _) => Report.Success);
        var first = await fleet.RunAsync("apply", "--auto-approve");
        Assert.True(first.Exit == 0, first.Out + first.Err);
        var victim = bmcs.Bmcs[0];
        victim.Reset(poweredOn: true);
        bmcs.Bmcs[1].Reset(poweredOn: true);

        var takeover = await serve.Http.PostAsync("v1/recon", Json($$"""
            {"hardwareName": "STRANGER", "hardwareType": "compute", "site": "lon", "rack": "a00",
             "bmc": {"address": "{{victim.Address}}", "port": {{victim.Port}}},
             "interfaces": [{"name": "eth0", "mac": "02:00:00:00:0a:01", "ip": "10.1.9.9"}]}
            """));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, takeover.StatusCode);
        Assert.Contains($"BMC 127.0.0.1 port {victim.Port} of STRANGER already belongs to machine SN0", await takeover.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Without the stolen BMC it registers, but stays new: the grow takes the spare, never the stranger.
        var registered = await serve.Http.PostAsync("v1/recon", Json("""
            {"hardwareName": "STRANGER", "hardwareType": "compute", "site": "lon", "rack": "a00",
             "interfaces": [{"name": "eth0", "mac": "02:00:00:00:0a:01", "ip": "10.1.9.9"}]}
            """));
        Assert.Equal("""{"added":1,"awaitingApproval":1}""", await registered.Content.ReadAsStringAsync());
        await File.WriteAllTextAsync(Path.Combine(fleet.Directory, "web.yaml"), Role.Replace("size: 2", "size: 3", StringComparison.Ordinal));
        var grow = await fleet.RunAsync("apply", "--auto-approve");

        Assert.True(grow.Exit == 0, grow.Out + grow.Err);
        var machines = (await fleet.MachinesAsync()).ToDictionary(m => m.HardwareName);
        Assert.Equal(MachineState.New, machines["STRANGER"].State);
        Assert.Equal(MachineState.InUse, machines["SN2"].State);
        Assert.Empty(victim.Events);
        Assert.Empty(bmcs.Bmcs[1].Events);
        Assert.Equal(["boot pxe", "power 1"], bmcs.Bmcs[2].Events);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Mac(int i) => $"02:00:00:00:00:{i:x2}";

    private enum Report
    {
        Success,
        Failure,
        Nothing,
    }

    /// <summary>
    /// The installers (and sanitizers) of every machine: one network boot per "boot pxe" that a "power 1" followed,
    /// each reported as <c>decide(serial, boot number from 1)</c> says.
    /// </summary>
    private sealed class Installers : IAsyncDisposable
    {
        private readonly CancellationTokenSource stop = new();
        private readonly ConcurrentQueue<string> scripts = new();
        private Task loop = Task.CompletedTask;

        /// <summary>Every boot script the machines fetched.</summary>
        public IEnumerable<string> Scripts => scripts;

        public static Installers Start(SimulatedBmcs bmcs, RunningServe serve, Func<string, int, Report> decide)
        {
            var installers = new Installers();
            installers.loop = Task.Run(() => installers.RunAsync(bmcs, serve, decide));
            return installers;
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }

        private async Task RunAsync(SimulatedBmcs bmcs, RunningServe serve, Func<string, int, Report> decide)
        {
            var handled = new ConcurrentDictionary<int, int>();
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < bmcs.Bmcs.Count; i++)
                {
                    var boots = NetworkBoots(bmcs.Bmcs[i].Events);
                    for (var boot = handled.GetValueOrDefault(i) + 1; boot <= boots; boot++)
                    {
                        scripts.Enqueue(await BootAsync(serve.Http, $"SN{i}", Mac(i), decide($"SN{i}", boot)));
                        handled[i] = boot;
                    }
                }

                try
                {
                    await Task.Delay(100, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    // The test is over.
                }
            }
        }

        private static async Task<string> BootAsync(HttpClient http, string serial, string mac, Report report)
        {
            var script = await http.GetStringAsync($"boot/{mac}");
            var callback = Argument(script, "fleet.callback");
            var token = Argument(script, "fleet.token");
            if (report == Report.Nothing)
            {
                return script;
            }

            var request = new HttpRequestMessage(HttpMethod.Post, callback)
            {
                Content = new StringContent(
                    report == Report.Success ? """{"succeeded": true}""" : $$"""{"succeeded": false, "error": "installer on {{serial}}: no disk found"}""",
                    Encoding.UTF8,
                    "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await http.SendAsync(request)).EnsureSuccessStatusCode();
            return script;
        }

        /// <summary>Boots from the network so far: a "boot pxe" followed, sooner or later, by a "power 1".</summary>
        private static int NetworkBoots(IReadOnlyList<string> events)
        {
            var (boots, pxe) = (0, false);
            foreach (var e in events)
            {
                (boots, pxe) = e switch
                {
                    "boot pxe" => (boots, true),
                    "power 1" when pxe => (boots + 1, false),
                    _ => (boots, pxe),
                };
            }

            return boots;
        }

        private static string Argument(string script, string name) =>
            Regex.Match(script, $@"{Regex.Escape(name)}=(\S+)") is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"no {name} in the boot script:\n{script}");
    }
}
