using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Serve;

/// <summary>
/// <c>fleetctl serve</c> over HTTP on a loopback port: boot scripts that follow the inventory, the
/// token handshake of an install attempt, completions accepted once, recon registration, the
/// read-only status in the CLI's JSON shapes, and JSON errors without detail a caller should not get.
/// </summary>
public sealed partial class ServeCommandTests : IAsyncLifetime
{
    private const string Serial = "SM64CFUWQ";
    private const string Mac = "3c:ec:ef:96:35:d0";

    private readonly TestFleet fleet = TestFleet.Quickstart();
    private RunningServe serve = null!;

    public async Task InitializeAsync()
    {
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        serve = await RunningServe.StartAsync(fleet);
    }

    public async Task DisposeAsync()
    {
        await serve.DisposeAsync();
        fleet.Dispose();
    }

    [Fact]
    public async Task Boot_scripts_follow_the_machine_state_and_each_install_script_carries_a_fresh_token_that_completes_once()
    {
        Assert.Contains("sanboot --no-describe --drive 0x80", await serve.Http.GetStringAsync($"boot/{Mac}"), StringComparison.Ordinal); // available
        Assert.Contains("sanboot", await serve.Http.GetStringAsync("boot/not-a-mac"), StringComparison.Ordinal);
        var recon = await serve.Http.GetStringAsync("boot/02-00-00-00-00-99");
        Assert.Contains($"kernel {RunningServe.Images}recon/vmlinuz initrd=initrd.img fleet.recon={serve.Address}v1/recon fleet.mac=02:00:00:00:00:99", recon, StringComparison.Ordinal);

        await using (var database = await fleet.OpenAsync())
        {
            var machine = (await database.Inventory.GetMachineAsync(Serial, CancellationToken.None))!;
            await database.Inventory.TransitionAsync(
                new MachineTransition(Serial, machine.Version, MachineState.Installing, "lon-web-abcde", "web", "web-lon", "debian-12"), new AuditContext("test"), CancellationToken.None);
            Assert.Contains("sanboot", await serve.Http.GetStringAsync($"boot/{Mac.ToUpperInvariant()}"), StringComparison.Ordinal); // no attempt begun yet
            await database.BootTasks.StartAsync(Serial, BootTaskKinds.Install, "7", DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var first = await serve.Http.GetStringAsync($"boot/{Mac}");
        var second = await serve.Http.GetStringAsync($"boot/{Mac}"); // the machine asked again: only the newest token counts
        Assert.Contains($"kernel {RunningServe.Images}installer/vmlinuz initrd=initrd.img fleet.callback={serve.Address}v1/completions fleet.token=", second, StringComparison.Ordinal);
        Assert.Contains($"fleet.machine={Serial} fleet.hostname=lon-web-abcde fleet.image=debian-12", second, StringComparison.Ordinal);
        Assert.Contains($"initrd {RunningServe.Images}installer/initrd.img", second, StringComparison.Ordinal);
        Assert.NotEqual(Token(first), Token(second));

        Assert.Equal(HttpStatusCode.Unauthorized, (await CompleteAsync(Token(first), """{"succeeded": true}""")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await CompleteAsync(Token(second), """{"succeeded": false, "error": "no disk"}""")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CompleteAsync(Token(second), """{"succeeded": true}""")).StatusCode); // used
        await using (var database = await fleet.OpenAsync())
        {
            var task = (await database.BootTasks.GetAsync(Serial, CancellationToken.None))!;
            Assert.Equal((false, "no disk", "7"), (task.Succeeded, task.Error, task.JobId));
        }

        Assert.Contains("sanboot", await serve.Http.GetStringAsync($"boot/{Mac}"), StringComparison.Ordinal); // reported: the attempt is over
    }

    [Fact]
    public async Task A_recycling_machine_boots_the_sanitize_image_only_for_a_sanitize_attempt()
    {
        await using (var database = await fleet.OpenAsync())
        {
            var machine = (await database.Inventory.GetMachineAsync(Serial, CancellationToken.None))!;
            machine = await database.Inventory.TransitionAsync(
                new MachineTransition(Serial, machine.Version, MachineState.Installing, "lon-web-abcde", "web", "web-lon", "debian-12"), new AuditContext("test"), CancellationToken.None);
            machine = await database.Inventory.TransitionAsync(MachineTransition.From(machine, MachineState.InUse), new AuditContext("test"), CancellationToken.None);
            await database.Inventory.TransitionAsync(MachineTransition.From(machine, MachineState.Recycling), new AuditContext("test"), CancellationToken.None);
            await database.BootTasks.StartAsync(Serial, BootTaskKinds.Install, "1", DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Contains("sanboot", await serve.Http.GetStringAsync($"boot/{Mac}"), StringComparison.Ordinal); // the install attempt is not this one
            await database.BootTasks.StartAsync(Serial, BootTaskKinds.Sanitize, "2", DateTimeOffset.UtcNow, CancellationToken.None);
        }

        var script = await serve.Http.GetStringAsync($"boot/{Mac}");
        Assert.Contains($"kernel {RunningServe.Images}sanitize/vmlinuz initrd=initrd.img fleet.callback={serve.Address}v1/completions fleet.token=", script, StringComparison.Ordinal);
        Assert.DoesNotContain("fleet.hostname", script, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await CompleteAsync(Token(script), """{"succeeded": true}""")).StatusCode);
    }

    [Fact]
    public async Task Bad_completions_get_json_errors_and_unknown_tokens_learn_nothing()
    {
        var anonymous = await serve.Http.PostAsync("v1/completions", Body("""{"succeeded": true}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        const string Unknown = "c2VjcmV0LXRva2VuLXRoYXQtaXMtbm90LWlzc3VlZA";
        var unknown = await CompleteAsync(Unknown, """{"succeeded": true}""");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("""{"error":"unknown or already used token"}""", await unknown.Content.ReadAsStringAsync());

        foreach (var bad in new[] { "not json", "[]", """{"succeeded": "yes"}""", """{"succeeded": false}""", """{"succeeded": true, "sucess": 1}""", """{"succeeded": false, "error": 3}""" })
        {
            var response = await CompleteAsync(Unknown, bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
            Assert.Contains("expected {\"succeeded\": true}", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        var missing = await serve.Http.GetAsync("v2/nothing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("""{"error":"no such endpoint"}""", await missing.Content.ReadAsStringAsync());
        Assert.DoesNotContain(Unknown, serve.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recon_registers_an_unknown_machine_and_rejects_a_bad_record_with_its_problems()
    {
        const string Record = """
            {"hardwareName": "NEW0001", "hardwareType": "compute", "site": "lon", "rack": "r09",
             "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:99"}]}
            """;
        var added = await serve.Http.PostAsync("v1/recon", Body(Record));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("""{"added":1,"awaitingApproval":1}""", await added.Content.ReadAsStringAsync());
        Assert.Contains("NEW0001 is new", await serve.Http.GetStringAsync("boot/02:00:00:00:00:99"), StringComparison.Ordinal); // known now: boots its disk
        Assert.Equal(MachineState.New, (await fleet.MachinesAsync()).Single(m => m.HardwareName == "NEW0001").State);
        var approve = await fleet.RunAsync("inventory", "approve", "--site", "lon", "--rack", "r09");
        Assert.Equal((0, "machine NEW0001: new → available\napproved 1 machine(s)\n"), (approve.Exit, approve.Out.ReplaceLineEndings("\n")));
        Assert.Equal(MachineState.Available, (await fleet.MachinesAsync()).Single(m => m.HardwareName == "NEW0001").State);

        var bad = await serve.Http.PostAsync("v1/recon", Body("""{"hardwareName": "NEW0002", "hardwareType": "gpu", "site": "mars", "interfaces": []}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!["errors"]!.AsArray().Select(e => e!.GetValue<string>()).ToList();
        Assert.Contains(errors, e => e.Contains("mars", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("gpu", StringComparison.Ordinal));
        Assert.DoesNotContain(await fleet.MachinesAsync(), m => m.HardwareName == "NEW0002");
    }

    [Fact]
    public async Task Recon_refuses_a_known_serial_or_another_machines_mac_with_409_and_writes_nothing()
    {
        var before = (await fleet.RunAsync("inventory", "list", "--format", "json")).Out;
        var known = await serve.Http.PostAsync("v1/recon", Body($$"""
            {"hardwareName": "{{Serial}}", "hardwareType": "compute", "site": "lon", "rack": "r09",
             "bmc": {"address": "203.0.113.66", "port": 443},
             "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:66"}]}
            """));
        Assert.Equal(HttpStatusCode.Conflict, known.StatusCode);
        Assert.Contains(
            $"record 1: {Serial} is already in the inventory; update known machines with fleetctl inventory ingest",
            JsonNode.Parse(await known.Content.ReadAsStringAsync())!["errors"]![0]!.GetValue<string>(),
            StringComparison.Ordinal);

        var stolenMac = await serve.Http.PostAsync("v1/recon", Body($$"""
            {"hardwareName": "NEW0003", "hardwareType": "compute", "site": "lon", "interfaces": [{"name": "eth0", "mac": "{{Mac}}"}]}
            """));
        Assert.Equal(HttpStatusCode.Conflict, stolenMac.StatusCode);
        Assert.Contains($"MAC {Mac} of NEW0003 already belongs to machine {Serial}", await stolenMac.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(before, (await fleet.RunAsync("inventory", "list", "--format", "json")).Out);
    }

    [Fact]
    public async Task Status_endpoints_answer_in_the_same_shapes_as_the_cli_json_outputs()
    {
        var cli = await fleet.RunAsync("inventory", "list", "--site", "lon", "--state", "available", "--format", "json");
        var http = await serve.Http.GetStringAsync("v1/machines?site=lon&state=available");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(cli.Out), JsonNode.Parse(http)));
        Assert.Equal(22, JsonNode.Parse(http)!.AsArray().Count);
        Assert.Empty(JsonNode.Parse(await serve.Http.GetStringAsync("v1/machines?pool=none"))!.AsArray());

        var badState = await serve.Http.GetAsync("v1/machines?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
        Assert.Contains("unknown state 'sleeping'", await badState.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(0, (await fleet.RunAsync("apply", "--auto-approve")).Exit);
        var jobs = await fleet.RunAsync("jobs", "list", "--format", "json");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(jobs.Out), JsonNode.Parse(await serve.Http.GetStringAsync("v1/jobs"))));
        Assert.Equal(HttpStatusCode.BadRequest, (await serve.Http.GetAsync("v1/jobs?status=done")).StatusCode);

        var pools = JsonNode.Parse(await serve.Http.GetStringAsync("v1/pools"))!.AsArray();
        Assert.Contains(pools, p => p!["backend"]!.GetValue<string>() == "physical" && p["role"] is not null);
    }

    [Fact]
    public async Task A_listen_address_that_is_not_an_ip_and_port_is_a_user_error()
    {
        var result = await fleet.RunAsync("serve", "--listen", "localhost", "--images", "ftp://x/");
        Assert.Equal(1, result.Exit);
        Assert.Contains("error: --listen: 'localhost' is not an IP address and port, e.g. 127.0.0.1:8080", result.Err, StringComparison.Ordinal);
        Assert.Contains("error: --images: 'ftp://x/' is not an http(s) URL", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_a_user_error()
    {
        var result = await fleet.RunAsync("serve", "--listen", $"127.0.0.1:{serve.Address.Port}", "--images", RunningServe.Images);
        Assert.Equal(1, result.Exit);
        Assert.StartsWith($"error: --listen: cannot listen on 127.0.0.1:{serve.Address.Port}: ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_request_a_fixed_port_accepts_gets_a_boot_script_calling_back_at_that_address()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => fleet.RunAsync(["serve", "--listen", $"127.0.0.1:{port}", "--images", RunningServe.Images], null, stop.Token));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        HttpResponseMessage? first = null;
        while (first is null && !run.IsCompleted)
        {
            try
            {
                first = await http.GetAsync("boot/02:00:00:00:00:98");
            }
            catch (HttpRequestException)
            {
                // Not listening yet: ask again at once, to land as close to the bind as possible.
            }
        }

        await stop.CancelAsync();
        Assert.Equal(0, (await run).Exit);
        Assert.Equal(HttpStatusCode.OK, first!.StatusCode);
        Assert.Contains($"fleet.recon=http://127.0.0.1:{port}/v1/recon", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.0.0.0:8080")]
    [InlineData("[::]:8080")]
    public async Task A_wildcard_listen_address_without_a_callback_url_is_a_user_error(string listen)
    {
        var result = await fleet.RunAsync("serve", "--listen", listen, "--images", RunningServe.Images);
        Assert.Equal(1, result.Exit);
        Assert.Contains($"error: --listen: {listen} is every address of this host, which machines cannot call back at: pass --callback-url", result.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_not_on_this_host_is_a_user_error_naming_it()
    {
        // 192.0.2.1 is TEST-NET-1: never an address of this host, so binding it fails (EADDRNOTAVAIL).
        var result = await fleet.RunAsync("serve", "--listen", "192.0.2.1:8080", "--images", RunningServe.Images, "--callback-url", "http://192.0.2.1:8080/");
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: --listen: cannot listen on 192.0.2.1:8080: ", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_completion_bodies_are_400s_never_500s()
    {
        const string Unknown = "c2VjcmV0LXRva2VuLXRoYXQtaXMtbm90LWlzc3VlZA";
        var bodies = new (byte[] Body, string Error)[]
        {
            ([.. "{\"succeeded\": false, \"error\": \"disk "u8, 0xC3, 0x28, .. "\"}"u8], "the body is not valid UTF-8"),
            ("""{"succeeded": true, "succeeded": false, "error": "x"}"""u8.ToArray(), "the body is not JSON"),
            ("""{"succeeded": false, "error": "\ud800"}"""u8.ToArray(), "error: not a valid string"),
            ("""{"succeeded": false, "error": "no disk\u001b]0;pwned\u0007"}"""u8.ToArray(), "error: contains the control character U+001B"),
            ("""{"succeeded": false, "error": "no disk\nsecond line"}"""u8.ToArray(), "error: contains the control character U+000A"),
        };
        foreach (var (body, error) in bodies)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new ByteArrayContent(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Unknown);
            var response = await serve.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith(error, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Malformed_recon_bodies_are_400s_with_located_errors_and_write_nothing()
    {
        var before = (await fleet.RunAsync("inventory", "list", "--format", "json")).Out;
        var bodies = new (byte[] Body, string Error)[]
        {
            ([.. "{\"hardwareName\": \"NEW0001\", \"hardwareType\": \"compute\", \"site\": \"lon\", \"rack\": \"r"u8, 0xFF, .. "\"}"u8],
                "request:1:79: error: malformed JSON: a string is not valid UTF-8"),
            ("""{"hardwareName": "NEW0001", "hardwareType": "compute", "site": "lon", "rack": "\u001b]0;pwned\u0007\u001b[2J"}"""u8.ToArray(),
                "request:1:1: error: record 1: rack: contains the control character U+001B; recon fields are printable text"),
            ("""{"hardwareName": "NEW0001", "hardwareType": "compute", "site": "lon", "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:99\n"}]}"""u8.ToArray(),
                "request:1:1: error: record 1: interfaces[0].mac: contains the control character U+000A; recon fields are printable text"),
            ("""{"hardwareName": "NEW0001", "hardwareType": "compute", "site": "lon", "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:99", "ip": "10.050.0.011"}]}"""u8.ToArray(),
                "request:1:1: error: record 1: interfaces[0].ip: '10.050.0.011' is not an IPv4 (four decimal octets without leading zeros) or IPv6 address"),
            ("""{"hardwareName": "NEW0001", "hardwareType": "compute", "site": "lon", "site": "sto"}"""u8.ToArray(),
                "request:1:1: error: record 1: field 'site' appears twice"),
        };
        foreach (var (body, error) in bodies)
        {
            var response = await serve.Http.PostAsync("v1/recon", new ByteArrayContent(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(error, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errors"]![0]!.GetValue<string>());
        }

        Assert.Equal(before, (await fleet.RunAsync("inventory", "list", "--format", "json")).Out);
    }

    [Theory]
    [InlineData("127.1:8080")]
    [InlineData("0127.0.0.1:8080")]
    [InlineData("0x7f.0.0.1:8080")]
    public async Task A_listen_address_in_a_short_octal_or_hex_form_is_a_user_error(string listen)
    {
        var result = await fleet.RunAsync("serve", "--listen", listen, "--images", RunningServe.Images);
        Assert.Equal((1, $"error: --listen: '{listen}' is not an IP address and port, e.g. 127.0.0.1:8080"), (result.Exit, result.Err.Trim()));
    }

    private Task<HttpResponseMessage> CompleteAsync(string token, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = Body(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return serve.Http.SendAsync(request);
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Token(string script) => TokenArgument().Match(script).Groups[1].Value;

    [GeneratedRegex(@"fleet\.token=(\S+)")]
    private static partial Regex TokenArgument();
}
