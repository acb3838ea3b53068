using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Engine.Secrets;

namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>
/// The <c>redfish</c> BMC driver: DMTF Redfish over HTTPS. Each operation is one session with the
/// machine's BMC (<see cref="RedfishSession"/>) on the single ComputerSystem of its Systems
/// collection: its <c>PowerState</c>, the <c>#ComputerSystem.Reset</c> action with a
/// <c>ResetType</c> the system allows, and a one-time PXE boot through its <c>Boot</c> override
/// properties. Every site has its own driver and so its own connection pool and trusted certificates.
/// </summary>
public sealed class RedfishPowerDriver : IPowerDriver, IDisposable
{
    /// <summary>The HTTPS port of a BMC whose inventory entry gives none.</summary>
    public const int DefaultPort = 443;

    /// <summary>
    /// IPMI's RMCP+ port. Recon on an IPMI-capable BMC reports it; the same BMC serves Redfish on
    /// HTTPS, so on a redfish site this port means <see cref="DefaultPort"/>.
    /// </summary>
    public const int IpmiPort = 623;

    private readonly HttpClient http;
    private readonly X509Certificate2Collection? trusted;
    private readonly RedfishCredentials credentials;
    private readonly RedfishOptions options;
    private readonly TimeProvider clock;

    internal RedfishPowerDriver(RedfishCredentials credentials, X509Certificate2Collection? trusted, RedfishOptions options, TimeProvider clock)
    {
        this.credentials = credentials;
        this.trusted = trusted;
        this.options = options;
        this.clock = clock;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 4, // BMCs have little memory; a handful of connections each is plenty
            AllowAutoRedirect = false,
            UseCookies = false,
        };
        if (trusted is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = RedfishTrust.Validator(trusted);
        }

        http = new HttpClient(handler) { Timeout = options.RequestTimeout };
        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        http.DefaultRequestHeaders.Add("OData-Version", "4.0");
    }

    public string Name => PowerSpec.Redfish;

    public bool IsRealHardware => true;

    /// <summary>
    /// The driver of a site whose <c>power</c> is <c>{ driver: redfish, username, password, caFile? }</c>:
    /// reads the password reference (<c>env:NAME</c> or <c>file:PATH</c>, a trailing newline dropped)
    /// and the CA file, both relative to <paramref name="fleetDirectory"/>. Problems are diagnostics
    /// at the field, all of them at once.
    /// </summary>
    public static RedfishPowerDriver Create(PowerSpec power, string fleetDirectory, Func<string, string?> environment, RedfishOptions? options = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(power);
        var diagnostics = new List<Diagnostic>();
        if (power.Username is null)
        {
            diagnostics.Add(Diagnostic.Error(power.Locations.Of("driver"), "power driver redfish needs username: the BMC user to log in as"));
        }

        string? password = null;
        X509Certificate2Collection? trusted = null;
        Collect(diagnostics, () => password = power.PasswordRef is { } reference
            ? SecretReference.Read(reference, fleetDirectory, environment, power.Locations.Of("password")).TrimEnd('\r', '\n')
            : throw new FleetException(power.Locations.Of("driver"), "power driver redfish needs password: a reference to the BMC password, env:NAME or file:PATH"));
        Collect(diagnostics, () => trusted = power.CaFile is { } caFile ? RedfishTrust.Load(caFile, fleetDirectory, power.Locations.Of("caFile")) : null);
        if (diagnostics.Count > 0)
        {
            throw new FleetException(diagnostics);
        }

        return new RedfishPowerDriver(new RedfishCredentials(power.Username!, password!), trusted, options ?? RedfishOptions.Default, clock ?? TimeProvider.System);
    }

    public async Task<PowerState> GetPowerStateAsync(Machine machine, CancellationToken cancellationToken)
    {
        await using var bmc = await OpenAsync(machine, cancellationToken);
        return (await SettledAsync(bmc, cancellationToken)).State;
    }

    public Task PowerOnAsync(Machine machine, CancellationToken cancellationToken) => PowerAsync(machine, PowerState.On, cancellationToken);

    public Task PowerOffAsync(Machine machine, CancellationToken cancellationToken) => PowerAsync(machine, PowerState.Off, cancellationToken);

    /// <summary>
    /// Restarts a running machine (<c>PowerCycle</c>, else <c>ForceRestart</c>). One that is off has
    /// nothing to restart and is powered on instead, so it boots all the same: what the lifecycle
    /// and the simulated driver expect of a cycle.
    /// </summary>
    public async Task PowerCycleAsync(Machine machine, CancellationToken cancellationToken)
    {
        await using var bmc = await OpenAsync(machine, cancellationToken);
        var (system, state) = await SettledAsync(bmc, cancellationToken);
        if (state == PowerState.Off)
        {
            await ResetAsync(bmc, system, ["On"], cancellationToken);
            await WaitForAsync(bmc, system.Path, PowerState.On, cancellationToken);
            return;
        }

        await ResetAsync(bmc, system, ["PowerCycle", "ForceRestart"], cancellationToken);
    }

    /// <summary>
    /// Next boot only, from the network: <c>Boot.BootSourceOverrideTarget = Pxe</c>, <c>Enabled = Once</c>.
    /// Which image the machine then loads is the boot server's choice, by the machine's state.
    /// </summary>
    public async Task SetOneTimePxeBootAsync(Machine machine, BootImage image, CancellationToken cancellationToken)
    {
        await using var bmc = await OpenAsync(machine, cancellationToken);
        var system = await FindSystemAsync(bmc, cancellationToken);
        if (RedfishJson.Texts(system.Body["Boot"]?["BootSourceOverrideTarget@Redfish.AllowableValues"]) is { } targets && !targets.Contains("Pxe"))
        {
            throw bmc.Error($"{system.Path} cannot boot from the network: its BootSourceOverrideTarget allows only {string.Join(", ", targets)}");
        }

        var boot = new JsonObject { ["Boot"] = new JsonObject { ["BootSourceOverrideTarget"] = "Pxe", ["BootSourceOverrideEnabled"] = "Once" } };
        await bmc.PatchAsync(system, boot, "one-time PXE boot override", cancellationToken);
    }

    public void Dispose()
    {
        http.Dispose();
        foreach (var certificate in trusted ?? [])
        {
            certificate.Dispose();
        }
    }

    /// <summary>The BMC's service URL: HTTPS on its inventory port, 443 when it has none or IPMI's 623.</summary>
    internal static (Uri Root, string Endpoint) Address(Machine machine)
    {
        var bmc = machine.Bmc ?? throw new FleetException($"machine {machine.HardwareName} has no BMC address in the inventory (recon reports it as bmc.address)");
        var port = bmc.Port is { } given && given != IpmiPort ? given : DefaultPort;
        try
        {
            var root = new UriBuilder(Uri.UriSchemeHttps, bmc.Address, port, "/").Uri;
            return (root, string.Create(CultureInfo.InvariantCulture, $"BMC {root.Host}:{port} of {machine.HardwareName}"));
        }
        catch (UriFormatException)
        {
            throw new FleetException($"machine {machine.HardwareName}: BMC address '{bmc.Address}' is not a host name or IP address");
        }
    }

    private async Task PowerAsync(Machine machine, PowerState target, CancellationToken cancellationToken)
    {
        await using var bmc = await OpenAsync(machine, cancellationToken);
        var (system, state) = await SettledAsync(bmc, cancellationToken);
        if (state == target)
        {
            return; // many BMCs refuse to power on a machine that is on
        }

        await ResetAsync(bmc, system, target == PowerState.On ? ["On"] : ["ForceOff"], cancellationToken);
        await WaitForAsync(bmc, system.Path, target, cancellationToken);
    }

    private Task<RedfishSession> OpenAsync(Machine machine, CancellationToken cancellationToken)
    {
        var (root, endpoint) = Address(machine);
        return RedfishSession.OpenAsync(http, root, endpoint, credentials, options, clock, cancellationToken);
    }

    /// <summary>The one ComputerSystem of the BMC; several (a blade chassis) or none is an error naming the BMC.</summary>
    private static async Task<RedfishResource> FindSystemAsync(RedfishSession bmc, CancellationToken cancellationToken)
    {
        var collection = await bmc.GetAsync(bmc.Systems, cancellationToken);
        var members = collection.Body["Members"] is JsonArray array ? array.Select(RedfishJson.Link).ToList() : [];
        if (members is not [{ } system])
        {
            var found = members.Count == 0 ? "none" : $"{members.Count} ({string.Join(", ", members)})";
            throw bmc.Error($"expected exactly one ComputerSystem in {bmc.Systems}, found {found}; fleetctl drives one system per BMC address");
        }

        return await bmc.GetAsync(system, cancellationToken);
    }

    /// <summary>The system and its power state once it is no longer PoweringOn or PoweringOff.</summary>
    private async Task<(RedfishResource System, PowerState State)> SettledAsync(RedfishSession bmc, CancellationToken cancellationToken)
    {
        var system = await FindSystemAsync(bmc, cancellationToken);
        var deadline = clock.GetUtcNow() + options.OperationTimeout;
        while (RedfishJson.Text(system.Body["PowerState"]) is "PoweringOn" or "PoweringOff" && clock.GetUtcNow() < deadline)
        {
            await Task.Delay(options.PollInterval, clock, cancellationToken);
            system = await bmc.GetAsync(system.Path, cancellationToken);
        }

        return (system, StateOf(system));
    }

    private async Task WaitForAsync(RedfishSession bmc, string path, PowerState target, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + options.OperationTimeout;
        while (true)
        {
            var system = await bmc.GetAsync(path, cancellationToken);
            if (StateOf(system) == target)
            {
                return;
            }

            if (clock.GetUtcNow() >= deadline)
            {
                throw bmc.Error(string.Create(CultureInfo.InvariantCulture,
                    $"{path} still reports PowerState {RedfishJson.Text(system.Body["PowerState"]) ?? "(none)"} {options.OperationTimeout.TotalSeconds:0.###} s after it was asked to power {(target == PowerState.On ? "on" : "off")}"));
            }

            await Task.Delay(options.PollInterval, clock, cancellationToken);
        }
    }

    private static PowerState StateOf(RedfishResource system) => RedfishJson.Text(system.Body["PowerState"]) switch
    {
        "On" => PowerState.On,
        "Off" => PowerState.Off,
        _ => PowerState.Unknown,
    };

    /// <summary>
    /// Posts <c>#ComputerSystem.Reset</c> with the first of <paramref name="preferred"/> the system
    /// allows (<c>ResetType@Redfish.AllowableValues</c>, or its <c>@Redfish.ActionInfo</c>); a system
    /// that lists neither is sent the first.
    /// </summary>
    private static async Task ResetAsync(RedfishSession bmc, RedfishResource system, string[] preferred, CancellationToken cancellationToken)
    {
        var action = system.Body["Actions"]?["#ComputerSystem.Reset"] as JsonObject;
        var target = RedfishJson.Text(action?["target"]) ?? throw bmc.Error($"{system.Path} offers no #ComputerSystem.Reset action");
        var allowed = RedfishJson.Texts(action!["ResetType@Redfish.AllowableValues"]);
        if (allowed is null && RedfishJson.Text(action["@Redfish.ActionInfo"]) is { } info)
        {
            var parameters = (await bmc.GetAsync(info, cancellationToken)).Body["Parameters"] as JsonArray;
            allowed = RedfishJson.Texts(parameters?.FirstOrDefault(p => RedfishJson.Text(p?["Name"]) == "ResetType")?["AllowableValues"]);
        }

        var type = allowed is null ? preferred[0] : preferred.FirstOrDefault(allowed.Contains)
            ?? throw bmc.Error($"{system.Path} does not allow reset type {string.Join(" or ", preferred)} (it allows {string.Join(", ", allowed)})");
        await bmc.PostAsync(target, new JsonObject { ["ResetType"] = type }, $"reset {type}", cancellationToken);
    }

    private static void Collect(List<Diagnostic> diagnostics, Action read)
    {
        try
        {
            read();
        }
        catch (FleetException e)
        {
            diagnostics.AddRange(e.Diagnostics);
        }
    }
}
