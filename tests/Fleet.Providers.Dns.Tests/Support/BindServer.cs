using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Tests.Support;

/// <summary>A zone the test server starts with: static (reloaded by file) or dynamic (takes RFC 2136 updates signed with the ddns key).</summary>
internal sealed record BindZone(string Name, bool Dynamic, string? Content = null);

/// <summary>
/// A real BIND (named -g) on free loopback ports with an rndc key, a TSIG key (ddns-key) and
/// allow-new-zones, started per test class and stopped by its PID. Zone files live in <see cref="ZoneDirectory"/>.
/// </summary>
internal sealed class BindServer : IAsyncDisposable
{
    private readonly Process process;

    private BindServer(string directory, int dnsPort, int controlPort, Process process)
    {
        Root = directory;
        DnsPort = dnsPort;
        ControlPort = controlPort;
        this.process = process;
    }

    public string Root { get; }

    public string ZoneDirectory => Path.Combine(Root, "zones");

    public int DnsPort { get; }

    public int ControlPort { get; }

    public string DnsAddress => $"127.0.0.1:{DnsPort}";

    public string ControlAddress => $"127.0.0.1:{ControlPort}";

    public string RndcKeyText => File.ReadAllText(Path.Combine(Root, "rndc.key"));

    public string TsigKeyText => File.ReadAllText(Path.Combine(Root, "ddns.key"));

    public TsigKey TsigKey => TsigKey.Parse(TsigKeyText, "ddns.key");

    public DnsClient Client => new("127.0.0.1", DnsPort, TimeProvider.System, TimeSpan.FromSeconds(10));

    public static Task<BindServer> StartAsync(params BindZone[] zones) => StartAsync(allowNewZones: true, zones);

    public static async Task<BindServer> StartAsync(bool allowNewZones, params BindZone[] zones)
    {
        foreach (var tool in new[] { "named", "rndc", "rndc-confgen", "tsig-keygen", "dig" })
        {
            Servers.Require(ExternalTool.Find(tool) is not null, tool);
        }

        var dir = Directory.CreateTempSubdirectory("fleet-bind-").FullName;
        var zoneDir = Path.Combine(dir, "zones");
        Directory.CreateDirectory(zoneDir);
        await Tool("rndc-confgen", "-a", "-A", "hmac-sha256", "-k", "rndc-key", "-c", Path.Combine(dir, "rndc.key"));
        await File.WriteAllTextAsync(Path.Combine(dir, "ddns.key"), (await Tool("tsig-keygen", "-a", "hmac-sha256", "ddns-key")).Output);

        var dnsPort = FreePort();
        var controlPort = FreePort();
        var conf = $$"""
            include "{{dir}}/rndc.key";
            include "{{dir}}/ddns.key";
            controls { inet 127.0.0.1 port {{controlPort}} allow { 127.0.0.1; } keys { "rndc-key"; }; };
            options {
              directory "{{dir}}"; pid-file "{{dir}}/named.pid"; session-keyfile "{{dir}}/session.key";
              managed-keys-directory "{{dir}}";
              listen-on port {{dnsPort}} { 127.0.0.1; }; listen-on-v6 { none; };
              recursion no; dnssec-validation no; notify no;
              allow-transfer { 127.0.0.1; key "ddns-key"; };
              allow-new-zones {{(allowNewZones ? "yes" : "no")}};
            };

            """;
        foreach (var zone in zones)
        {
            var file = Path.Combine(zoneDir, zone.Name.TrimEnd('.') + ".zone");
            await File.WriteAllTextAsync(file, zone.Content ?? MinimalZone());
            var update = zone.Dynamic ? """ allow-update { key "ddns-key"; };""" : string.Empty;
            conf += $"zone \"{zone.Name.TrimEnd('.')}\" {{ type primary; file \"{file}\";{update} }};\n";
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "named.conf"), conf);
        var start = new ProcessStartInfo(ExternalTool.Find("named")!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-g", "-c", Path.Combine(dir, "named.conf") })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new BindServer(dir, dnsPort, controlPort, process);
        var deadline = Stopwatch.StartNew();
        while (!await server.AnswersAsync() || !await server.ServesAsync(zones))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                await server.DisposeAsync();
                lock (log)
                {
                    throw new InvalidOperationException($"named did not start:\n{log}");
                }
            }

            await Task.Delay(50);
        }

        return server;
    }

    /// <summary>The zone text every test zone starts with: SOA serial 2024010101, one NS with its address.</summary>
    public static string MinimalZone() => $"""
        $TTL 300
        @ IN SOA ns1.acme.net. hostmaster.acme.net. ( 2024010101 3600 600 1209600 300 )
          IN NS ns1.acme.net.

        """;

    public RndcClient Rndc() => RndcClient.Create(ControlAddress, RndcKeyText);

    /// <summary>Runs dig against this server; returns its answer lines.</summary>
    public async Task<string[]> DigAsync(params string[] query)
    {
        var (_, output) = await Tool("dig", ["@127.0.0.1", "-p", DnsPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "+noall", "+answer", "+nottlid", "+nocl", .. query]);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)))];
    }

    /// <summary>Waits until the server serves the zone at <paramref name="serial"/> (reloads are asynchronous).</summary>
    public async Task WaitForSerialAsync(string zone, uint serial)
    {
        var deadline = Stopwatch.StartNew();
        while (await Client.GetSerialAsync(zone, null, CancellationToken.None) != serial)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), $"{zone} did not reach serial {serial}; serves {await Client.GetSerialAsync(zone, null, CancellationToken.None)}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        // Processes may be reaped late: wait for named's pid file to go, then for the process itself.
        var pidFile = Path.Combine(Root, "named.pid");
        var deadline = Stopwatch.StartNew();
        while (File.Exists(pidFile) && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

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
        Directory.Delete(Root, recursive: true);
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, DnsPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Whether every configured zone is loaded: named listens before it has loaded its zones.</summary>
    private async Task<bool> ServesAsync(BindZone[] zones)
    {
        foreach (var zone in zones)
        {
            if (await Client.GetSerialAsync(DnsName.Absolute(zone.Name), null, CancellationToken.None) is null)
            {
                return false;
            }
        }

        return true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(int ExitCode, string Output)> Tool(string name, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Find(name)!, arguments, CancellationToken.None);
        Assert.True(result.ExitCode == 0, $"{name} failed: {result.Output}");
        return result;
    }
}
