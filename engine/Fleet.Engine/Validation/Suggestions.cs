namespace Fleet.Engine.Validation;

/// <summary>"Did you mean …?" for misspelt fields, kinds and references: the closest candidate by edit distance.</summary>
public static class Suggestions
{
    /// <summary>The closest candidate, if close enough to be a plausible typo.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        var allowed = 2 * Math.Max(1, (Math.Min(typed.Length, best?.Length ?? 0) + 1) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or nothing.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } match ? $"; did you mean '{match}'?" : string.Empty;

    /// <summary>
    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions) in half steps:
    /// swapping a key for its neighbour on the keyboard costs half, the likelier typo.
    /// </summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = 2 * i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = 2 * j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : AreNeighbours(a[i - 1], b[j - 1]) ? 1 : 2;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 2, d[i, j - 1] + 2), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 2);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    private static readonly string[] KeyboardRows = ["1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

    private static bool AreNeighbours(char x, char y)
    {
        for (var row = 0; row < KeyboardRows.Length; row++)
        {
            var column = KeyboardRows[row].IndexOf(x, StringComparison.Ordinal);
            if (column < 0)
            {
                continue;
            }

            for (var other = Math.Max(0, row - 1); other <= Math.Min(KeyboardRows.Length - 1, row + 1); other++)
            {
                var at = KeyboardRows[other].IndexOf(y, StringComparison.Ordinal);
                if (at >= 0 && Math.Abs(at - column) <= 1)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
