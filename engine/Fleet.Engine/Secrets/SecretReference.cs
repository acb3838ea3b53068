using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Secrets;

/// <summary>
/// Secrets named by reference, never written in YAML (BMC passwords, TSIG and rndc keys, GCP keys):
/// <c>env:NAME</c> (the variable holds the secret itself) or <c>file:PATH</c> / a plain path (a file
/// holding it, relative to the fleet directory).
/// Errors name the reference, never the content.
/// </summary>
public static class SecretReference
{
    public static string Read(string reference, string fleetDirectory, Func<string, string?> environment, SourceLocation location)
    {
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            return environment(name) is { Length: > 0 } value
                ? value
                : throw new FleetException(location, $"the environment variable {name} (from '{reference}') is not set");
        }

        var path = Path.GetFullPath(reference.StartsWith("file:", StringComparison.Ordinal) ? reference[5..] : reference, fleetDirectory);
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetException(location, $"cannot read the secret file '{path}': {e.Message}");
        }
    }
}
