using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Secrets;
using Google.Apis.Auth.OAuth2;

namespace Fleet.Providers.Gcp.Auth;

/// <summary>
/// The credential of <c>gcp.credentials</c>: <c>adc</c> (application default credentials) or a
/// service-account JSON key named by reference (<c>env:NAME</c> holding the JSON, or <c>file:PATH</c>),
/// scoped to Compute Engine. The key's <c>token_uri</c> is where the signed JWT is exchanged for an
/// access token. Errors name the reference, never the key.
/// </summary>
public static class GcpCredentials
{
    public const string ComputeScope = "https://www.googleapis.com/auth/compute";

    public const string ApplicationDefault = "adc";

    public static async Task<ITokenAccess> CreateAsync(GcpSpec spec, string fleetDirectory, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var location = spec.Locations.Of("credentials");
        GoogleCredential credential;
        if (spec.Credentials == ApplicationDefault)
        {
            try
            {
                credential = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                throw new FleetException(location, $"no application default credentials for GCP project {spec.Project}: {e.Message}");
            }
        }
        else
        {
            credential = FromKey(SecretReference.Read(spec.Credentials, fleetDirectory, environment, location), spec.Credentials, location);
        }

        return credential.CreateScoped(ComputeScope);
    }

    /// <summary>A service-account key; anything else (or a malformed key) is refused without quoting it.</summary>
    private static GoogleCredential FromKey(string json, string reference, SourceLocation location)
    {
        try
        {
            return CredentialFactory.FromJson<ServiceAccountCredential>(json).ToGoogleCredential();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The JSON reader, the PEM and ASN.1 parsers and RSA each fail in their own way (a malformed
            // key even throws NotSupportedException); none of their messages is shown, as they may quote the key.
            throw new FleetException(location, $"the GCP credentials '{reference}' are not a service-account JSON key");
        }
    }
}
