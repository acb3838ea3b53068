using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.Engine.GitOps;

/// <summary>Durations as people write them in flags and YAML: <c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static partial class Durations
{
    /// <summary>Parses <c>500ms</c>, <c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>, or a plain number of seconds; zero is allowed.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text.Trim();
        if (double.TryParse(trimmed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(seconds);
            return true;
        }

        var match = Pattern().Match(trimmed);
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value.EndsWith("ms", StringComparison.Ordinal) ? "ms" : part.Value[^1..];
            var number = double.Parse(part.Value[..^unit.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            duration += unit switch
            {
                "d" => TimeSpan.FromDays(number),
                "h" => TimeSpan.FromHours(number),
                "m" => TimeSpan.FromMinutes(number),
                "ms" => TimeSpan.FromMilliseconds(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return true;
    }

    /// <summary>The duration of a command-line option, or a user error naming the option.</summary>
    public static TimeSpan Parse(string text, string option) =>
        TryParse(text, out var duration)
            ? duration
            : throw new Diagnostics.FleetException($"{option}: '{text}' is not a duration (e.g. 500ms, 10s, 2m, 1h30m)");

    /// <summary>Whole seconds as people say them, in the units <see cref="TryParse"/> reads: 45s, 1m, 2m30s, 1h5m.</summary>
    public static string Format(TimeSpan span)
    {
        var seconds = (long)span.TotalSeconds;
        return seconds switch
        {
            < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds}s"),
            < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{(seconds % 60 == 0 ? string.Empty : $"{seconds % 60}s")}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}h{(seconds % 3600 / 60 == 0 ? string.Empty : $"{seconds % 3600 / 60}m")}"),
        };
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|[dhms]))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
