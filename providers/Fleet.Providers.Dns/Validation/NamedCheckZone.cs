namespace Fleet.Providers.Dns.Validation;

/// <summary>
/// BIND's own zone checker on the rendered text, when it is installed: catches what a custom template
/// can still get wrong (syntax, a missing glue address, an MX or SRV pointing at a CNAME).
/// </summary>
public static class NamedCheckZone
{
    /// <summary>Whether named-checkzone is installed; without it only the structural validation runs.</summary>
    public static bool IsInstalled => ExternalTool.Find("named-checkzone") is not null;

    /// <summary>The checker's complaints about the zone text (empty when it loads cleanly), or null when not installed.</summary>
    public static async Task<IReadOnlyList<string>?> CheckAsync(string zoneName, string text, CancellationToken cancellationToken)
    {
        if (ExternalTool.Find("named-checkzone") is not { } tool)
        {
            return null;
        }

        var file = Path.Combine(Path.GetTempPath(), $"fleet-checkzone-{Guid.NewGuid():N}.zone");
        try
        {
            await File.WriteAllTextAsync(file, text, cancellationToken);
            var (exit, output) = await ExternalTool.RunAsync(tool, ["-k", "fail", "-i", "local", zoneName.TrimEnd('.'), file], cancellationToken);
            if (exit == 0)
            {
                return [];
            }

            return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line != "OK")
                .Select(line => line.Replace(file, "<zone file>", StringComparison.Ordinal))];
        }
        finally
        {
            File.Delete(file);
        }
    }
}
