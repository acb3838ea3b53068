using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fleet.Engine.Diagnostics;

namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>
/// Which BMC certificates a redfish site trusts. Without <c>power.caFile</c>: the system store, as
/// any HTTPS client. With it: only the certificates in that PEM file, instead of the system store,
/// either as a CA the BMC's certificate chains to (its name must then match the BMC's address), or
/// as the BMC's own certificate: BMCs ship self-signed certificates that seldom name the address
/// they are reached at, so presenting exactly a certificate the site pinned is enough.
/// </summary>
internal static class RedfishTrust
{
    /// <summary>Reads <paramref name="caFile"/> (relative to the fleet directory); errors point at <paramref name="location"/>.</summary>
    public static X509Certificate2Collection Load(string caFile, string fleetDirectory, SourceLocation location)
    {
        var path = Path.GetFullPath(caFile, fleetDirectory);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new FleetException(location, $"cannot read the BMC certificate file '{path}' (power.caFile): {e.Message}");
        }

        return certificates.Count > 0
            ? certificates
            : throw new FleetException(location, $"the BMC certificate file '{path}' (power.caFile) holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    public static RemoteCertificateValidationCallback Validator(X509Certificate2Collection trusted) => (_, certificate, chain, errors) =>
    {
        if (certificate is null)
        {
            return false;
        }

        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        try
        {
            if (trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(presented.RawDataMemory.Span)))
            {
                return true;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
            if (chain is not null)
            {
                foreach (var element in chain.ChainElements)
                {
                    custom.ChainPolicy.ExtraStore.Add(element.Certificate);
                }
            }

            return custom.Build(presented);
        }
        finally
        {
            if (!ReferenceEquals(presented, certificate))
            {
                presented.Dispose();
            }
        }
    };
}
