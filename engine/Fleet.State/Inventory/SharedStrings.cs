using System.Text;

namespace Fleet.State.Inventory;

/// <summary>
/// One string instance per distinct short value (site, type, rack, role, pool, image) for the
/// length of one read: 100,000 machines then hold a few hundred strings instead of 600,000, which
/// keeps the collector from copying them all when a plan holds the whole inventory.
/// </summary>
internal sealed class SharedStrings
{
    private const int MaxEntries = 4096;
    private const int MaxLength = 128;
    private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup;

    public SharedStrings()
    {
        lookup = strings.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Get(string text)
    {
        if (strings.TryGetValue(text, out var known))
        {
            return known;
        }

        if (strings.Count < MaxEntries)
        {
            strings[text] = text;
        }

        return text;
    }

    /// <summary>The same, decoded from UTF-8 without allocating when the value is known.</summary>
    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> buffer = stackalloc char[MaxLength];
        var chars = buffer[..Encoding.UTF8.GetChars(utf8, buffer)];
        if (lookup.TryGetValue(chars, out var known))
        {
            return known;
        }

        var text = new string(chars);
        if (strings.Count < MaxEntries)
        {
            strings[text] = text;
        }

        return text;
    }
}
