using System.Text.RegularExpressions;
using Fleet.Tests.Shared;

namespace Fleet.Engine.Tests.Providers;

/// <summary>
/// The engine knows providers only through their definitions and interfaces: no code under engine/
/// names a provider, pool backend, BMC driver or push method. Comments and docs may.
/// </summary>
public sealed partial class EngineNamesNoProviderTests
{
    /// <summary>Names that may appear nowhere in engine code, as a word of a string or an identifier.</summary>
    private static readonly string[] Words = ["physical", "gcp", "dns", "ipmi", "redfish", "simulated", "rndc", "rfc2136"];

    /// <summary>"directory" is also plain English (a fleet directory): only the push method's exact spelling counts.</summary>
    private const string DirectoryMethod = "\"directory\"";

    /// <summary>Identifiers of the engine's own that contain one of the words with another meaning: names are DNS labels.</summary>
    private static readonly string[] Allowed = ["DnsLabel", "DnsName"];

    [Fact]
    public void No_code_under_engine_names_a_provider_backend_driver_or_push_method()
    {
        var root = Path.Combine(Examples.RepositoryRoot, "engine");
        var findings = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = Comment().Replace(lines[i], string.Empty);
                foreach (var finding in Find(code))
                {
                    findings.Add($"{Path.GetRelativePath(Examples.RepositoryRoot, file)}:{i + 1}: {finding}");
                }
            }
        }

        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("var backend = \"gcp\";", "string \"gcp\"")]
    [InlineData("Error($\"a physical pool needs a site\");", "string \"a physical pool needs a site\"")]
    [InlineData("if (driver == \"directory\")", "string \"directory\"")]
    [InlineData("var spec = fleet.Gcp;", "identifier Gcp")]
    [InlineData("class RedfishOptions", "identifier RedfishOptions")]
    public void The_check_finds_provider_names(string code, string expected) => Assert.Contains(expected, Find(code));

    [Theory]
    [InlineData("throw new FleetException($\"fleet directory {directory} does not exist\");")]
    [InlineData("public const string DnsLabel = \"^[a-z0-9]$\";")]
    [InlineData("var name = pool.Backend;")]
    public void The_check_leaves_the_engines_own_words_alone(string code) => Assert.Empty(Find(code));

    private static IEnumerable<string> Find(string code)
    {
        foreach (Match literal in StringLiteral().Matches(code))
        {
            var text = literal.Value;
            if (text.Contains(DirectoryMethod, StringComparison.Ordinal) || Words.Any(w => Regex.IsMatch(text, $@"\b{w}\b", RegexOptions.IgnoreCase)))
            {
                yield return $"string {text.TrimStart('$', '@')}";
            }
        }

        foreach (Match identifier in Identifier().Matches(StringLiteral().Replace(code, "\"\"")))
        {
            var name = identifier.Value;
            if (!Allowed.Contains(name) && Segments().Matches(name).Any(s => Words.Contains(s.Value.ToLowerInvariant())))
            {
                yield return $"identifier {name}";
            }
        }
    }

    [GeneratedRegex(@"//.*$|/\*.*?\*/")]
    private static partial Regex Comment();

    [GeneratedRegex("\\$?@?\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\b[A-Za-z_][A-Za-z0-9_]*\b")]
    private static partial Regex Identifier();

    /// <summary>The words of an identifier: <c>RedfishOptions</c> → Redfish, Options; <c>rfc2136</c> → rfc2136.</summary>
    [GeneratedRegex(@"[A-Z]?[a-z]+[0-9]*|[A-Z]+(?![a-z])[0-9]*")]
    private static partial Regex Segments();
}
