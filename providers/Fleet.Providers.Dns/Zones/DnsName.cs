using System.Buffers;

namespace Fleet.Providers.Dns.Zones;

/// <summary>
/// Domain names as zone data holds them: lowercase, absolute (trailing dot), every label checked.
/// Only letters, digits, '-', '_' (service labels) and a leading '*' pass, so no name can carry
/// whitespace, quotes, ';', '(' or '$' into a zone file.
/// </summary>
public static class DnsName
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    private static readonly SearchValues<char> LabelChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Checks one label; returns why it is invalid, or null.</summary>
    public static string? CheckLabel(string label, bool allowWildcard = false) => CheckLabel(label.AsSpan(), allowWildcard);

    private static string? CheckLabel(ReadOnlySpan<char> label, bool allowWildcard)
    {
        if (label.Length == 0)
        {
            return "empty label";
        }

        if (label.Length > MaxLabelLength)
        {
            return $"label '{Truncate(label.ToString())}' is longer than {MaxLabelLength} characters";
        }

        if (allowWildcard && label is "*")
        {
            return null;
        }

        if (label.ContainsAnyExcept(LabelChars))
        {
            return $"label '{Truncate(label.ToString())}' may contain only a-z, 0-9, '-' and '_'";
        }

        return label[0] == '-' || label[^1] == '-' ? $"label '{label}' may not start or end with '-'" : null;
    }

    /// <summary>Checks an absolute name (trailing dot, already lowercase); returns why it is invalid, or null.</summary>
    public static string? CheckAbsolute(string name, bool allowWildcard = false)
    {
        if (name == ".")
        {
            return null;
        }

        if (!name.EndsWith('.'))
        {
            return $"'{Truncate(name)}' is not absolute (no trailing dot)";
        }

        if (name.Length > MaxLength + 1)
        {
            return $"'{Truncate(name)}' is longer than {MaxLength} characters";
        }

        var rest = name.AsSpan(0, name.Length - 1);
        for (var first = true; ; first = false)
        {
            var dot = rest.IndexOf('.');
            if (CheckLabel(dot < 0 ? rest : rest[..dot], allowWildcard && first) is { } error)
            {
                return $"'{Truncate(name)}': {error}";
            }

            if (dot < 0)
            {
                return null;
            }

            rest = rest[(dot + 1)..];
        }
    }

    /// <summary>
    /// Resolves a name as zone files do: <c>@</c> is the origin, a trailing dot means absolute,
    /// anything else is relative to the origin. Lowercases; does not validate.
    /// </summary>
    public static string Qualify(string name, string origin)
    {
        var lower = name.Trim().ToLowerInvariant();
        if (lower is "@" or "")
        {
            return origin;
        }

        return lower.EndsWith('.') ? lower : lower + "." + origin;
    }

    /// <summary>Makes a name absolute without an origin (a zone or server name written without its dot).</summary>
    public static string Absolute(string name)
    {
        var lower = name.Trim().ToLowerInvariant();
        return lower.EndsWith('.') ? lower : lower + ".";
    }

    public static bool IsInZone(string name, string origin) =>
        name == origin || origin == "." || (name.Length > origin.Length && name.EndsWith(origin, StringComparison.Ordinal) && name[name.Length - origin.Length - 1] == '.');

    /// <summary>The name relative to the origin: <c>@</c> for the apex, the absolute name when outside.</summary>
    public static string Relative(string name, string origin)
    {
        if (name == origin)
        {
            return "@";
        }

        return IsInZone(name, origin) ? name[..(name.Length - origin.Length - 1)] : name;
    }

    /// <summary>
    /// Canonical order (RFC 4034 §6.1, labels compared from the right) so the apex comes first and a
    /// name's children follow it; all-digit labels compare numerically so reverse zones read naturally.
    /// </summary>
    public static int Compare(string x, string y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        var xs = x.AsSpan().TrimEnd('.');
        var ys = y.AsSpan().TrimEnd('.');
        SkipSharedLabels(ref xs, ref ys);
        while (true)
        {
            if (xs.IsEmpty || ys.IsEmpty)
            {
                return xs.Length.CompareTo(ys.Length);
            }

            var xi = xs.LastIndexOf('.');
            var yi = ys.LastIndexOf('.');
            var xl = xs[(xi + 1)..];
            var yl = ys[(yi + 1)..];
            var c = CompareLabel(xl, yl);
            if (c != 0)
            {
                return c;
            }

            xs = xi < 0 ? [] : xs[..xi];
            ys = yi < 0 ? [] : ys[..yi];
        }
    }

    /// <summary>
    /// Drops the whole labels two names end with alike (the zone most names of a comparison share),
    /// found by one scan from the end instead of label by label.
    /// </summary>
    private static void SkipSharedLabels(ref ReadOnlySpan<char> xs, ref ReadOnlySpan<char> ys)
    {
        int i = xs.Length, j = ys.Length;
        while (i > 0 && j > 0 && xs[i - 1] == ys[j - 1])
        {
            i--;
            j--;
        }

        // The first dot of the shared end starts labels that are equal in both names.
        var dot = xs[i..].IndexOf('.');
        if (dot >= 0)
        {
            xs = xs[..(i + dot)];
            ys = ys[..(j + dot)];
        }
    }

    private static int CompareLabel(ReadOnlySpan<char> x, ReadOnlySpan<char> y)
    {
        if (IsDigits(x) && IsDigits(y) && x.Length != y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }

        return x.SequenceCompareTo(y);
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    private static string Truncate(string s) => s.Length <= 70 ? s : s[..70] + "…";
}
