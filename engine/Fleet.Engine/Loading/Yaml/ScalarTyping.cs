using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>
/// Resolves plain scalars with the YAML 1.2 core schema (so <c>yes</c> and <c>on</c> stay strings, unlike
/// YAML 1.1). Quoted and block scalars, and scalars tagged <c>!!str</c>, are strings.
/// </summary>
internal static partial class ScalarTyping
{
    private const string StringTag = "tag:yaml.org,2002:str";

    public static YamlScalarType TypeOf(Scalar scalar)
    {
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value is StringTag or "!!str"))
        {
            return YamlScalarType.String;
        }

        var text = scalar.Value;
        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => YamlScalarType.Null,
            "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => YamlScalarType.Boolean,
            _ when Integer().IsMatch(text) => YamlScalarType.Integer,
            _ when Float().IsMatch(text) => YamlScalarType.Float,
            _ => YamlScalarType.String,
        };
    }

    [GeneratedRegex(@"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Integer();

    [GeneratedRegex(@"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
