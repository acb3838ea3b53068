using System.CommandLine;
using System.Net;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Secrets;
using Fleet.Engine.Validation;
using Fleetctl.Logging;
using Fleetctl.Serve;
using Fleetctl.Serve.Console;
using Fleetctl.Serve.Metrics;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl serve [--listen 127.0.0.1:8080] --images URL [--callback-url URL]</c>: the HTTP API
/// of the datacenter side (docs/serve.md), until interrupted.
/// </summary>
public static class ServeCommand
{
    public static Command Create(GlobalOptions global, CliHost host)
    {
        var listen = new Option<string>("--listen")
        {
            Description = "Address and port to listen on (an IP address, not a name). Loopback by default: bind another address only on a network you trust.",
            DefaultValueFactory = _ => "127.0.0.1:8080",
        };
        var images = new Option<string>("--images")
        {
            Description = "Base URL of the boot images: installer/, sanitize/ and recon/ each hold vmlinuz and initrd.img.",
            Required = true,
        };
        var callback = new Option<string?>("--callback-url")
        {
            Description = "This server's URL as the machines reach it, for the installers' callbacks (default: the address it listens on; required with a wildcard --listen such as 0.0.0.0).",
        };
        var viewerToken = new Option<string?>("--viewer-token")
        {
            Description = "Reference (env:NAME or file:PATH) to the token that lets a browser or client read the console and the read endpoints; needed to read anything when --listen is not loopback.",
        };
        var adminToken = new Option<string?>("--admin-token")
        {
            Description = "Reference (env:NAME or file:PATH) to the token that also allows the console's actions (retry a job, mark broken, repair, power cycle). Without it, actions are disabled.",
        };
        var logFormat = EventLog.Option();
        var command = new Command("serve", "Serve boot scripts, installer completions, recon registration, the fleet console, /metrics and read-only status over HTTP.")
        {
            listen, images, callback, viewerToken, adminToken, logFormat,
        };
        command.SetAction(async (parse, ct) =>
        {
            var problems = new List<Diagnostic>();
            var endpoint = IpText.ParseEndPoint(parse.GetValue(listen)!);
            if (endpoint is null)
            {
                problems.Add(Diagnostic.Error($"--listen: '{parse.GetValue(listen)}' is not an IP address and port, e.g. 127.0.0.1:8080"));
            }

            var imagesUrl = HttpUrl("--images", parse.GetValue(images)!, problems);
            var callbackUrl = parse.GetValue(callback) is { } text ? HttpUrl("--callback-url", text, problems) : null;
            if (endpoint is not null && parse.GetValue(callback) is null && (endpoint.Address.Equals(IPAddress.Any) || endpoint.Address.Equals(IPAddress.IPv6Any)))
            {
                problems.Add(Diagnostic.Error(
                    $"--listen: {endpoint} is every address of this host, which machines cannot call back at: " +
                    "pass --callback-url with the URL the machines reach this server at, e.g. http://10.1.0.5:8080/"));
            }
            if (problems.Count > 0)
            {
                throw new FleetException(problems);
            }

            var directory = global.FleetDirectory(parse, host);
            string? Token(Option<string?> option) =>
                parse.GetValue(option) is { } reference ? SecretReference.Read(reference, directory, host.GetEnvironment, SourceLocation.None) is { Length: > 0 } token ? token
                    : throw new FleetException($"{option.Name}: the secret '{reference}' is empty") : null;
            var access = new ConsoleAccess(Token(viewerToken), Token(adminToken), System.Net.IPAddress.IsLoopback(endpoint!.Address), host.Clock);
            var log = EventLog.For(parse, logFormat, host);
            if (!access.LoopbackOnly && !access.HasViewerToken && !access.HasAdminToken)
            {
                log.Warn($"serve listens on {endpoint}, beyond loopback, without --viewer-token: the console and the read endpoints refuse every reader");
            }

            var (desired, database) = await InventoryCommand.OpenAsync(global, parse, host, ct);
            await using (database)
            {
                var console = new ConsoleContext(desired, database, access, DriftReportFile.InFleet(directory), log, directory, host.GetEnvironment, host.Clock);
                await FleetServer.RunAsync(endpoint!, imagesUrl!, callbackUrl, desired, database, host, console, ct);
                return ExitCodes.Success;
            }
        });
        return command;
    }

    /// <summary>An absolute http(s) URL, ending with a slash so that relative paths resolve below it.</summary>
    private static Uri? HttpUrl(string option, string text, List<Diagnostic> problems)
    {
        if (Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
        {
            return url;
        }

        problems.Add(Diagnostic.Error($"{option}: '{text}' is not an http(s) URL"));
        return null;
    }
}
