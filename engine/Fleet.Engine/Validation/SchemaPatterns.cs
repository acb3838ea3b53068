using System.Buffers;
using System.Text.RegularExpressions;

namespace Fleet.Engine.Validation;

/// <summary>
/// The <c>pattern</c> keywords of the schemas as predicates. The patterns every fleet document uses
/// (DNS labels and names, image references) are matched by hand, exactly as the regular expression
/// would; the rest are compiled to a <see cref="Regex"/> on first use. Building a few dozen regular
/// expressions at start-up costs more than checking every pool file of a large fleet.
/// </summary>
internal static class SchemaPatterns
{
    public const string DnsLabel = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    public const string DnsName = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\.?$";
    public const string Image = "^[A-Za-z0-9][-A-Za-z0-9._:/]*$";

    private static readonly SearchValues<char> LabelChars = SearchValues.Create("-abcdefghijklmnopqrstuvwxyz0123456789");
    private static readonly SearchValues<char> ImageChars = SearchValues.Create("-._:/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    /// <summary>A predicate equivalent to <c>Regex.IsMatch(text, pattern)</c> with <see cref="RegexOptions.CultureInvariant"/>.</summary>
    public static Func<string, bool> For(string pattern) => pattern switch
    {
        DnsLabel => text => MatchesToEnd(text, IsLabel),
        DnsName => text => MatchesToEnd(text, IsName),
        Image => text => MatchesToEnd(text, IsImage),
        _ => Compiled(pattern),
    };

    private static Func<string, bool> Compiled(string pattern)
    {
        var regex = new Lazy<Regex>(() => new Regex(pattern, RegexOptions.CultureInvariant));
        return text => regex.Value.IsMatch(text);
    }

    /// <summary><c>$</c> matches at the end and also before a final newline, as in .NET regular expressions.</summary>
    private static bool MatchesToEnd(string text, Func<ReadOnlySpan<char>, bool> matches) =>
        matches(text) || (text.EndsWith('\n') && matches(text.AsSpan(0, text.Length - 1)));

    private static bool IsLabel(ReadOnlySpan<char> label) =>
        !label.IsEmpty && !label.ContainsAnyExcept(LabelChars) && label[0] != '-' && label[^1] != '-';

    private static bool IsName(ReadOnlySpan<char> name)
    {
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        foreach (var range in name.Split('.'))
        {
            if (!IsLabel(name[range]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsImage(ReadOnlySpan<char> image) =>
        !image.IsEmpty && char.IsAsciiLetterOrDigit(image[0]) && !image.ContainsAnyExcept(ImageChars);
}
