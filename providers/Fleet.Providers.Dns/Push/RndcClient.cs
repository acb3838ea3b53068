using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Validation;
using Fleet.Providers.Dns.Wire;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// BIND's control channel through the <c>rndc</c> tool. The key (read from an <c>env:</c> or <c>file:</c>
/// reference) goes into a private temporary rndc.conf for the duration and is removed on dispose; it
/// never appears in arguments or output.
/// </summary>
public sealed class RndcClient : IDisposable
{
    private readonly string configFile;

    private RndcClient(string configFile) => this.configFile = configFile;

    /// <summary>A client for <paramref name="server"/> (<c>host:port</c>, port 953 by default) with a BIND key statement.</summary>
    public static RndcClient Create(string server, string keyText)
    {
        var (host, port) = DnsClient.ParseAddress(server, 953);
        var key = TsigKey.Parse(keyText, "the rndc key");
        var file = Path.Combine(Path.GetTempPath(), $"fleet-rndc-{Guid.NewGuid():N}.conf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(file, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(keyText);
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"options {{ default-key \"{key.Name.TrimEnd('.')}\"; default-server {host}; default-port {port}; }};"));
        }

        return new RndcClient(file);
    }

    /// <summary>Runs one rndc command; returns its exit code and output (rndc prints no key material).</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] command)
    {
        var tool = ExternalTool.Find("rndc") ?? throw new FleetException("dns.push.method rndc needs the rndc tool (Debian package bind9-utils)");
        return await ExternalTool.RunAsync(tool, ["-c", configFile, .. command], cancellationToken);
    }

    public void Dispose() => File.Delete(configFile);
}
