using System.Text.RegularExpressions;
using Fleet.Engine.Validation;

namespace Fleet.Engine.Tests.Validation;

/// <summary>The hand-written matchers of the common schema patterns say exactly what the regular expressions say.</summary>
public sealed class SchemaPatternsTests
{
    private static readonly string[] Samples =
    [
        "", "a", "0", "-", "a-", "-a", "a-b", "ab", "a--b", "A", "aB", "a_b", "a b", "a.b", "a.b.", "a..b", ".", ".a", "a.",
        "a.-b", "a.b-", "lon.acme.net", "lon.acme.net.", "lon.acme.net..", "x" + new string('y', 70), "a\n", "a\n\n", "\na", "a.b\n",
        "a.b.\n", "a\r", "é", "a/b", "debian-12", "debian:12", "registry.example.com/images/debian:12.1", "_a", ".debian", "Debian_12",
        "/img", "ubuntu 24.04", "ubuntu-24.04\n", "fancydb-lon", "fancydb-lon-", "1.10.in-addr.arpa", "a\u0000",
    ];

    [Theory]
    [InlineData(SchemaPatterns.DnsLabel)]
    [InlineData(SchemaPatterns.DnsName)]
    [InlineData(SchemaPatterns.Image)]
    [InlineData("^[1-9][0-9]*$")]
    public void A_pattern_matches_exactly_what_its_regular_expression_matches(string pattern)
    {
        var matches = SchemaPatterns.For(pattern);
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        foreach (var sample in Samples)
        {
            Assert.True(regex.IsMatch(sample) == matches(sample), $"'{Regex.Escape(sample)}' against {pattern}: the regular expression says {regex.IsMatch(sample)}");
        }
    }

    [Fact]
    public void The_hand_written_patterns_are_the_ones_the_schemas_use()
    {
        var schemas = string.Join("\n", Directory.EnumerateFiles(Path.Combine(Fleet.Tests.Shared.Examples.RepositoryRoot, "schemas")).Select(File.ReadAllText));
        foreach (var pattern in new[] { SchemaPatterns.DnsLabel, SchemaPatterns.DnsName, SchemaPatterns.Image })
        {
            Assert.Contains($"\"pattern\": \"{pattern.Replace("\\", "\\\\", StringComparison.Ordinal)}\"", schemas, StringComparison.Ordinal);
        }
    }
}
