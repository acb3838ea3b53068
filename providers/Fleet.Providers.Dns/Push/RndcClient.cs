using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Validation;

namespace Fleet.Providers.Dns.Push;

/// <summary>
/// BIND's control channel through the <c>rndc</c> tool. A key given as text (from <c>env:</c>) is written
/// to a private temporary file for the duration and removed on dispose; it never appears in output.
/// </summary>
public sealed class RndcClient : IDisposable
{
    private readonly string host;
    private readonly int port;
    private readonly string keyFile;

    private RndcClient(string host, int port, string keyFile)
    {
        this.host = host;
        this.port = port;
        this.keyFile = keyFile;
    }

    public static RndcClient Create(string server, string keyText)
    {
        var (host, port) = Wire.DnsClient.ParseAddress(server, 953);
        var file = Path.Combine(Path.GetTempPath(), $"fleet-rndc-{Guid.NewGuid():N}.key");
        File.WriteAllText(file, string.Empty);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.WriteAllText(file, keyText);
        return new RndcClient(host, port, file);
    }

    /// <summary>Runs one rndc command; returns its exit code and output (rndc prints no key material).</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(CancellationToken cancellationToken, params string[] command)
    {
        var tool = ExternalTool.Find("rndc") ?? throw new FleetException("dns.push.method rndc needs the rndc tool (Debian package bind9-utils)");
        string[] arguments = ["-s", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-k", keyFile, "-c", "/dev/null", .. command];
        return await ExternalTool.RunAsync(tool, arguments, cancellationToken);
    }

    public void Dispose() => File.Delete(keyFile);
}
