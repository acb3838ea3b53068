using System.Collections.Immutable;
using System.Security.Cryptography.X509Certificates;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.Engine.Model;
using Fleet.Providers.Physical.Power.Redfish;

namespace Fleet.Providers.Physical.Tests.Power.Redfish;

/// <summary>
/// Fake BMCs behind a certificate issued by a test CA, a fleet directory holding that CA as
/// <c>ca.pem</c>, and redfish drivers built the way a site's <c>power</c> section builds them.
/// </summary>
internal sealed class RedfishBed : IAsyncDisposable
{
    public const string PasswordVariable = "FLEET_TEST_BMC_PASSWORD";

    /// <summary>Patient enough for a loaded machine, quick to poll.</summary>
    public static readonly RedfishOptions Options = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        OperationTimeout = TimeSpan.FromSeconds(20),
        RequestTimeout = TimeSpan.FromSeconds(20),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    private readonly List<RedfishPowerDriver> drivers = [];

    private RedfishBed(FakeRedfishServer server, string fleetDirectory)
    {
        Server = server;
        FleetDirectory = fleetDirectory;
    }

    public FakeRedfishServer Server { get; }

    public FakeRedfishBmc Bmc => Server.Bmc;

    public string FleetDirectory { get; }

    public static async Task<RedfishBed> StartAsync(int bmcs = 1, X509Certificate2? serverCertificate = null)
    {
        var (ca, issued) = TestCertificates.IssuedByCa();
        using (ca)
        {
            var directory = Directory.CreateTempSubdirectory("fleet-redfish-").FullName;
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), TestCertificates.Pem(ca));
            return new RedfishBed(await FakeRedfishServer.StartAsync(serverCertificate ?? issued, bmcs), directory);
        }
    }

    public static PowerSpec Power(string? caFile, string? username = "fleet", string? password = "env:" + PasswordVariable) =>
        new(PowerSpec.Redfish, null, null, null, username, password, FieldLocations.At(SourceLocation.OfFile("fleet.yaml"))) { CaFile = caFile };

    /// <summary>A driver whose password is the BMC's (or <paramref name="password"/>), trusting <paramref name="caFile"/>.</summary>
    public RedfishPowerDriver Driver(string? caFile = "ca.pem", string? password = null, RedfishOptions? options = null)
    {
        var secret = password ?? Bmc.Password;
        var driver = RedfishPowerDriver.Create(Power(caFile), FleetDirectory, name => name == PasswordVariable ? secret : null, options ?? Options);
        drivers.Add(driver);
        return driver;
    }

    public Machine Machine(FakeRedfishBmc bmc) => At(Server.PortOf(bmc), bmc.Serial);

    public static Machine At(int? port, string serial = "SN1", string address = "127.0.0.1") => new(
        serial, "high-io", "lon", "r1", new BmcEndpoint(address, port), ImmutableArray<NetworkInterface>.Empty,
        MachineState.Available, null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);

    public async ValueTask DisposeAsync()
    {
        foreach (var driver in drivers)
        {
            driver.Dispose();
        }

        await Server.DisposeAsync();
        Directory.Delete(FleetDirectory, recursive: true);
    }
}
