using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>Who a request is: nobody, a viewer (may read) or an admin (may read and act).</summary>
internal enum AccessLevel
{
    None,
    Viewer,
    Admin,
}

/// <summary>The caller of one request: the level its credential grants, a name for the audit log, and the key its CSRF token is derived from.</summary>
internal sealed record Caller(AccessLevel Level, string Actor, string? CsrfKey);

/// <summary>
/// The console's access rules (docs/console.md, Access). Reading pages and the read endpoints
/// (<c>/v1/pools</c>, <c>/v1/machines</c>, <c>/v1/jobs</c>) is open on loopback and needs the viewer
/// (or admin) token when serve listens on any other address; actions always need the admin token and
/// a CSRF token. A token is presented as <c>Authorization: Bearer TOKEN</c>, or once on the login page,
/// which sets an HttpOnly, SameSite=Strict session cookie. Only SHA-256 hashes of the tokens and of the
/// session ids are kept in memory, compared in constant time; nothing here is ever rendered or logged.
/// </summary>
internal sealed class ConsoleAccess
{
    public const string CookieName = "fleet_session";

    /// <summary>How long a login lasts.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(12);

    private readonly byte[]? viewerHash;
    private readonly byte[]? adminHash;
    private readonly byte[] csrfSecret = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Session> sessions = new(StringComparer.Ordinal);
    private readonly TimeProvider clock;

    public ConsoleAccess(string? viewerToken, string? adminToken, bool loopbackOnly, TimeProvider clock)
    {
        viewerHash = viewerToken is null ? null : Hash(viewerToken.Trim());
        adminHash = adminToken is null ? null : Hash(adminToken.Trim());
        LoopbackOnly = loopbackOnly;
        this.clock = clock;
    }

    private sealed record Session(AccessLevel Level, DateTimeOffset Expires);

    /// <summary>Whether serve listens on loopback only, where reading needs no token.</summary>
    public bool LoopbackOnly { get; }

    public bool HasAdminToken => adminHash is not null;

    public bool HasViewerToken => viewerHash is not null;

    /// <summary>The least a request needs to read: nothing on loopback, a viewer token elsewhere.</summary>
    public AccessLevel ReadLevel => LoopbackOnly ? AccessLevel.None : AccessLevel.Viewer;

    /// <summary>What the request's bearer token or session cookie grants; an unknown one grants nothing.</summary>
    public Caller Identify(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var hash = Hash(header[7..].Trim());
            var level = Level(hash);
            return new Caller(level, $"console {Name(level)} from {remote}", level == AccessLevel.None ? null : Base64Url.EncodeToString(hash));
        }

        if (context.Request.Cookies[CookieName] is { Length: > 0 } cookie)
        {
            var key = Base64Url.EncodeToString(Hash(cookie));
            if (sessions.TryGetValue(key, out var session))
            {
                if (session.Expires > clock.GetUtcNow())
                {
                    return new Caller(session.Level, $"console {Name(session.Level)} from {remote}", key);
                }

                sessions.TryRemove(key, out _);
            }
        }

        return new Caller(AccessLevel.None, $"console anonymous from {remote}", null);
    }

    /// <summary>A new session for a token that matches, as the cookie value to set; null when it matches neither token.</summary>
    public (string Cookie, AccessLevel Level)? Login(string token)
    {
        var level = Level(Hash(token.Trim()));
        if (level == AccessLevel.None)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        foreach (var expired in sessions.Where(s => s.Value.Expires <= now).Select(s => s.Key).ToList())
        {
            sessions.TryRemove(expired, out _);
        }

        var cookie = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        sessions[Base64Url.EncodeToString(Hash(cookie))] = new Session(level, now + SessionLifetime);
        return (cookie, level);
    }

    public void Logout(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is { Length: > 0 } cookie)
        {
            sessions.TryRemove(Base64Url.EncodeToString(Hash(cookie)), out _);
        }
    }

    /// <summary>The CSRF token of a caller's forms: an HMAC of its credential's hash under a key of this process, so it cannot be guessed nor reused by another caller.</summary>
    public string? CsrfToken(Caller caller) =>
        caller.CsrfKey is null ? null : Base64Url.EncodeToString(HMACSHA256.HashData(csrfSecret, Encoding.UTF8.GetBytes(caller.CsrfKey)));

    public bool IsValidCsrf(Caller caller, string? presented) =>
        CsrfToken(caller) is { } expected && presented is not null
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));

    private AccessLevel Level(byte[] hash)
    {
        // Both compared every time, in constant time, so the answer's timing tells nothing.
        var admin = adminHash is not null && CryptographicOperations.FixedTimeEquals(hash, adminHash);
        var viewer = viewerHash is not null && CryptographicOperations.FixedTimeEquals(hash, viewerHash);
        return admin ? AccessLevel.Admin : viewer ? AccessLevel.Viewer : AccessLevel.None;
    }

    private static string Name(AccessLevel level) => level switch
    {
        AccessLevel.Admin => "admin",
        AccessLevel.Viewer => "viewer",
        _ => "anonymous",
    };

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
