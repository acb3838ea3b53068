using System.Text.RegularExpressions;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Planning;

/// <summary>
/// The engine names no provider action: providers declare them (install, recycle, create_group…),
/// so a new action never needs an engine change. Comments may mention them.
/// </summary>
public sealed partial class EngineVocabularyTests
{
    /// <summary>
    /// Strings that are the inventory's words, not plan actions: the boot task a machine runs
    /// (<c>BootTaskKinds.Install</c>) and the descriptions of machine state transitions.
    /// </summary>
    private static readonly string[] InventoryWords =
    [
        "public const string Install = \"install\";",
        "(MachineState.Available, MachineState.Installing) => \"install\",",
        "(_, MachineState.Recycling) => \"recycle\",",
    ];

    [Fact]
    public void No_code_under_engine_names_a_provider_action()
    {
        var engine = Path.Combine(Examples.RepositoryRoot, "engine");
        var found = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(engine, f), Line: i + 1, Text: line.Trim())))
            .Where(l => !l.Text.StartsWith("//", StringComparison.Ordinal) && ActionLiteral().IsMatch(l.Text) && !InventoryWords.Contains(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToArray();

        Assert.Empty(found);
    }

    [GeneratedRegex("\"(install|recycle|create_group|resize|update_template|delete_group|zone_create|zone_push|adopt|adopt_group)\"")]
    private static partial Regex ActionLiteral();
}
