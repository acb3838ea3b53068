using System.CommandLine;

namespace Fleetctl;

/// <summary>Options every command accepts.</summary>
public sealed class GlobalOptions
{
    public Option<string?> Dir { get; } = new("--dir", "-C")
    {
        Description = "The fleet directory (containing fleet.yaml). Default: the current directory.",
        Recursive = true,
    };

    public Option<bool> NoColor { get; } = new("--no-color")
    {
        Description = "Do not colour output (also: the NO_COLOR environment variable).",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Dir);
        root.Options.Add(NoColor);
    }

    /// <summary>The fleet directory as an absolute path.</summary>
    public string FleetDirectory(ParseResult parse, CliHost host)
    {
        var dir = parse.GetValue(Dir);
        return string.IsNullOrEmpty(dir) ? host.CurrentDirectory : Path.GetFullPath(dir, host.CurrentDirectory);
    }
}
