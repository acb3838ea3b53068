using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using Npgsql;

namespace Fleet.State;

/// <summary>The two kinds of state database.</summary>
public enum StateBackendKind
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where the state database lives, parsed from fleet.yaml's <c>inventory:</c> (or FLEET_INVENTORY):
/// <c>sqlite:PATH</c> relative to the fleet directory, a <c>postgres://</c> / <c>postgresql://</c>
/// URI, or an Npgsql connection string. <see cref="Display"/> is safe to print: passwords redacted.
/// </summary>
public sealed partial record InventoryLocation(StateBackendKind Backend, string ConnectionTarget, string Display)
{
    public const string DefaultInventory = "sqlite:.fleet/inventory.db";

    public const string EnvironmentVariable = "FLEET_INVENTORY";

    /// <summary>FLEET_INVENTORY wins over fleet.yaml's value, which wins over the embedded default.</summary>
    public static string Resolve(string? configured, Func<string, string?> environment)
    {
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        return string.IsNullOrWhiteSpace(configured) ? DefaultInventory : configured.Trim();
    }

    /// <summary>
    /// Parses an inventory reference. For SQLite <see cref="ConnectionTarget"/> is the absolute file
    /// path; for PostgreSQL an Npgsql connection string. Throws a <see cref="FleetException"/> that
    /// never contains the password.
    /// </summary>
    public static InventoryLocation Parse(string inventory, string fleetDirectory)
    {
        var text = inventory.Trim();
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = text["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            if (path.Length == 0)
            {
                throw Invalid(text, "sqlite: needs a file path, e.g. sqlite:.fleet/inventory.db");
            }

            var full = Path.GetFullPath(path, fleetDirectory);
            return new InventoryLocation(StateBackendKind.Sqlite, full, $"sqlite:{path}");
        }

        if (text.StartsWith("postgres://", StringComparison.Ordinal) || text.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            return new InventoryLocation(StateBackendKind.Postgres, FromUri(text), Redact(text));
        }

        if (text.Contains('=', StringComparison.Ordinal) && !text.Contains("://", StringComparison.Ordinal))
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(text);
                return new InventoryLocation(StateBackendKind.Postgres, builder.ConnectionString, Redact(text));
            }
            catch (ArgumentException e)
            {
                throw Invalid(text, $"not a valid PostgreSQL connection string ({Redact(e.Message)})");
            }
        }

        throw Invalid(text, "expected sqlite:PATH, postgres://user:password@host:port/database or a PostgreSQL connection string");
    }

    /// <summary>Replaces every password in a URI, connection string or message by <c>***</c>.</summary>
    public static string Redact(string text)
    {
        var redacted = UriPassword().Replace(text, "$1***@");
        redacted = KeyValuePassword().Replace(redacted, "$1***");
        return QueryPassword().Replace(redacted, "$1***");
    }

    private static string FromUri(string text)
    {
        Uri uri;
        try
        {
            uri = new Uri(text, UriKind.Absolute);
        }
        catch (UriFormatException)
        {
            throw Invalid(text, "not a valid postgres:// URI");
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw Invalid(text, "the URI names no host");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[UriParameterName(key)] = value;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
            {
                throw Invalid(text, $"unsupported or invalid URI parameter '{key}'");
            }
        }

        return builder.ConnectionString;
    }

    /// <summary>libpq's URI parameter names, mapped onto Npgsql's keywords where they differ.</summary>
    private static string UriParameterName(string key) => key switch
    {
        "sslmode" => "SSL Mode",
        "connect_timeout" => "Timeout",
        "application_name" => "Application Name",
        "sslrootcert" => "Root Certificate",
        "target_session_attrs" => "Target Session Attributes",
        _ => key,
    };

    private static FleetException Invalid(string text, string why) =>
        new($"inventory '{Redact(text)}': {why}");

    /// <summary>The password of a URI's user info: up to the last '@' of the authority, so a password holding an unencoded '@' is hidden whole.</summary>
    [GeneratedRegex(@"(://[^:/@\s]*:)[^/?#\s]*@")]
    private static partial Regex UriPassword();

    [GeneratedRegex(@"((?:^|;)\s*(?:password|pwd)\s*=\s*)[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex KeyValuePassword();

    [GeneratedRegex(@"([?&]password=)[^&\s]*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryPassword();
}
