using System.Globalization;
using System.Text.RegularExpressions;

namespace Fleet.Engine.GitOps;

/// <summary>Durations as people write them in flags and YAML: <c>90s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
public static partial class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
        {
            return false;
        }

        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value[^1];
            var number = double.Parse(part.Value[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            duration += unit switch
            {
                'd' => TimeSpan.FromDays(number),
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                _ => TimeSpan.FromSeconds(number),
            };
        }

        return duration > TimeSpan.Zero;
    }

    public static string Format(TimeSpan duration) =>
        duration.TotalSeconds < 60 ? $"{duration.TotalSeconds:0.#}s"
        : duration.TotalMinutes < 60 ? $"{(int)duration.TotalMinutes}m{(duration.Seconds > 0 ? $"{duration.Seconds}s" : string.Empty)}"
        : $"{(int)duration.TotalHours}h{(duration.Minutes > 0 ? $"{duration.Minutes}m" : string.Empty)}";

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?[dhms])+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
