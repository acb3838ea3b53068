using System.Text.RegularExpressions;

namespace Fleet.Providers.Gcp.Auth;

/// <summary>
/// Keeps GCP credentials out of messages, as the Redfish driver keeps its password out (by value):
/// the access token a request carried is replaced by <c>***</c> wherever an error quotes it (Compute
/// Engine errors may quote the Authorization header). What fleetctl never sees, such as the signed
/// JWT assertion Google.Apis.Auth sends to the token endpoint, is recognised by its shape instead:
/// bearer values, JWTs and Google OAuth access tokens.
/// </summary>
public static partial class TokenRedaction
{
    public static string Redact(string message, string? token = null)
    {
        var redacted = string.IsNullOrEmpty(token) ? message : message.Replace(token, "***", StringComparison.Ordinal);
        redacted = Bearer().Replace(redacted, "$1***");
        redacted = Jwt().Replace(redacted, "***");
        return GoogleAccessToken().Replace(redacted, "***");
    }

    [GeneratedRegex(@"(\bBearer\s+)[^\s""',;]+", RegexOptions.IgnoreCase)]
    private static partial Regex Bearer();

    /// <summary>A JWS compact serialisation: a base64url JSON header (so it starts with eyJ), a payload and a signature.</summary>
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")]
    private static partial Regex Jwt();

    [GeneratedRegex(@"\bya29\.[A-Za-z0-9_.-]+")]
    private static partial Regex GoogleAccessToken();
}
