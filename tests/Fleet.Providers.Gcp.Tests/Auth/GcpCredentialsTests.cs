using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Providers.Gcp.Auth;
using Fleet.Providers.Gcp.Tests.Fake;

namespace Fleet.Providers.Gcp.Tests.Auth;

/// <summary><c>gcp.credentials</c> references: a key file relative to the fleet, and keys that are not keys, reported without their content.</summary>
public sealed class GcpCredentialsTests : FakeCompute
{
    private static GcpSpec Spec(string credentials) =>
        new(FakeComputeEngine.Project, credentials, null, new FieldLocations(
            new SourceLocation("fleet.yaml", 30, 1),
            System.Collections.Immutable.ImmutableDictionary<string, SourceLocation>.Empty.Add("credentials", new SourceLocation("fleet.yaml", 32, 16))));

    [Fact]
    public async Task A_key_file_relative_to_the_fleet_directory_authenticates()
    {
        var fleet = Directory.CreateTempSubdirectory("fleet-gcp-key-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(fleet, "secrets"));
            await File.WriteAllTextAsync(Path.Combine(fleet, "secrets", "gcp.json"), Fake.CreateServiceAccountKey());

            var credential = await GcpCredentials.CreateAsync(Spec("file:secrets/gcp.json"), fleet, _ => null, CancellationToken.None);

            Assert.Null(await Client(credential).GetGroupAsync("europe-west1-b", "web", CancellationToken.None));
            Assert.Equal(1, Fake.TokenExchanges);
        }
        finally
        {
            Directory.Delete(fleet, recursive: true);
        }
    }

    [Theory]
    [InlineData("{\"type\":\"service_account\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nc2VjcmV0\\n-----END PRIVATE KEY-----\\n\",\"client_email\":\"a@b\"}")]
    [InlineData("not json, but a secret")]
    [InlineData("{\"type\":\"authorized_user\",\"client_secret\":\"secret\",\"refresh_token\":\"secret\"}")]
    public async Task Something_other_than_a_service_account_key_is_refused_at_the_credentials_field_without_quoting_it(string content)
    {
        var error = await Assert.ThrowsAsync<FleetException>(() => GcpCredentials.CreateAsync(Spec("env:GCP_KEY"), "/", _ => content, CancellationToken.None));

        Assert.Equal("fleet.yaml:32:16: error: the GCP credentials 'env:GCP_KEY' are not a service-account JSON key", Assert.Single(error.Diagnostics).ToString());
    }
}
