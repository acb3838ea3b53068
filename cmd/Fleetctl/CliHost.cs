using System.Collections;
using System.Collections.Immutable;
using System.Text;

namespace Fleetctl;

/// <summary>
/// Everything a command touches of the outside world: streams, environment, working directory,
/// clock. Tests build one with string writers and a fixed environment and run commands in-process.
/// </summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Err,
    TextReader In,
    ImmutableDictionary<string, string> Environment,
    string CurrentDirectory,
    bool IsTerminal,
    TimeProvider Clock)
{
    public static CliHost FromProcess()
    {
        var environment = System.Environment.GetEnvironmentVariables()
            .Cast<DictionaryEntry>()
            .ToImmutableDictionary(e => (string)e.Key, e => (string?)e.Value ?? string.Empty);
        return new CliHost(
            Console.Out,
            Console.Error,
            Console.In,
            environment,
            Directory.GetCurrentDirectory(),
            !Console.IsOutputRedirected && !Console.IsInputRedirected,
            TimeProvider.System)
        {
            OutBytes = Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage ? Console.OpenStandardOutput() : null,
        };
    }

    /// <summary>
    /// The byte stream <see cref="Out"/> writes UTF-8 into, when it does (the process's standard
    /// output): a large output, such as a plan file, goes there directly instead of being decoded
    /// to text and encoded again. Null in tests and when the console uses another encoding.
    /// </summary>
    public Stream? OutBytes { get; init; }

    /// <summary>The providers fleetctl loads fleets and plans with (tests add their own).</summary>
    public FleetRuntime Runtime { get; init; } = FleetRuntime.Standard;

    public string? GetEnvironment(string name) =>
        Environment.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    /// <summary>Colour only on a terminal that is not TERM=dumb, and never when NO_COLOR is set (https://no-color.org).</summary>
    public bool UseColor(bool noColorOption) =>
        CanDrawLive && !noColorOption && GetEnvironment("NO_COLOR") is null;

    /// <summary>A terminal that understands cursor movement (TERM=dumb does not): where a live display can be drawn.</summary>
    public bool CanDrawLive => IsTerminal && GetEnvironment("TERM") != "dumb";
}
