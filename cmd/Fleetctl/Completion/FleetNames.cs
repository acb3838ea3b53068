using System.Text;
using Fleet.Engine.Loading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Fleetctl.Completion;

/// <summary>
/// Pool and site names of a fleet directory, for shell completion: a cheap read of each file's
/// <c>kind</c> and <c>name</c> without validation, so a fleet that does not validate (the usual state
/// while editing it) still completes, and a broken file is skipped instead of failing the completion.
/// </summary>
internal static class FleetNames
{
    public static IReadOnlyList<string> Pools(string fleetDirectory) =>
        Documents(fleetDirectory, all: true)
            .Where(d => Scalar(d, "kind") == "Pool")
            .Select(d => Scalar(d, "name"))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    public static IReadOnlyList<string> Sites(string fleetDirectory) =>
        Documents(fleetDirectory, all: false)
            .Where(d => Scalar(d, "kind") == "Fleet")
            .SelectMany(d => d.Children.TryGetValue(new YamlScalarNode("sites"), out var sites) && sites is YamlSequenceNode list
                ? list.Children.OfType<YamlMappingNode>().Select(s => Scalar(s, "name")).OfType<string>()
                : [])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The top-level mappings of every YAML document of the fleet (<paramref name="all"/>), or of fleet.yaml only.</summary>
    private static IEnumerable<YamlMappingNode> Documents(string fleetDirectory, bool all)
    {
        if (!Directory.Exists(fleetDirectory))
        {
            yield break;
        }

        var source = new DirectorySource(fleetDirectory);
        var files = all ? source.ListFiles().Where(IsYaml) : ["fleet.yaml"];
        foreach (var file in files)
        {
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(Encoding.UTF8.GetString(source.ReadAllBytes(file))));
            }
            catch (Exception e) when (e is YamlException or IOException or Fleet.Engine.Diagnostics.FleetException)
            {
                continue;
            }

            foreach (var document in stream.Documents)
            {
                if (document.RootNode is YamlMappingNode mapping)
                {
                    yield return mapping;
                }
            }
        }
    }

    private static bool IsYaml(string path) =>
        path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    private static string? Scalar(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
}
