using System.Globalization;

namespace Fleet.Engine.GitOps;

/// <summary>
/// A standard five-field cron expression (minute hour day-of-month month day-of-week) in UTC, with
/// <c>*</c>, lists, ranges, steps and three-letter month and weekday names. Used for
/// <c>reconcile --schedule</c> and for the start of freeze windows.
/// </summary>
public sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly bool[] _minutes;
    private readonly bool[] _hours;
    private readonly bool[] _daysOfMonth;
    private readonly bool[] _months;
    private readonly bool[] _daysOfWeek;
    private readonly bool _dayOfMonthRestricted;
    private readonly bool _dayOfWeekRestricted;

    private CronSchedule(string text, bool[][] fields, bool domRestricted, bool dowRestricted)
    {
        Text = text;
        (_minutes, _hours, _daysOfMonth, _months, _daysOfWeek) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        _dayOfMonthRestricted = domRestricted;
        _dayOfWeekRestricted = dowRestricted;
    }

    public string Text { get; }

    /// <summary>Parses an expression; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static CronSchedule? TryParse(string text, out string? error)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 5)
        {
            error = $"cron expression '{text}' must have 5 fields (minute hour day-of-month month day-of-week), it has {parts.Length}";
            return null;
        }

        var specs = new (string Name, int Min, int Max, string[]? Names)[]
        {
            ("minute", 0, 59, null), ("hour", 0, 23, null), ("day-of-month", 1, 31, null), ("month", 1, 12, MonthNames), ("day-of-week", 0, 7, DayNames),
        };
        var fields = new bool[5][];
        for (var i = 0; i < 5; i++)
        {
            fields[i] = ParseField(parts[i], specs[i].Min, specs[i].Max, specs[i].Names, out error)!;
            if (error is not null)
            {
                error = $"cron expression '{text}': {specs[i].Name} field '{parts[i]}': {error}";
                return null;
            }
        }

        fields[4][0] |= fields[4][7]; // 7 is Sunday too
        error = null;
        return new CronSchedule(text, fields, parts[2] != "*", parts[4] != "*");
    }

    public bool Matches(DateTimeOffset time)
    {
        var t = time.ToUniversalTime();
        if (!_minutes[t.Minute] || !_hours[t.Hour] || !_months[t.Month])
        {
            return false;
        }

        var dom = _daysOfMonth[t.Day];
        var dow = _daysOfWeek[(int)t.DayOfWeek];
        // Classic cron: when both day fields are restricted, either may match.
        return _dayOfMonthRestricted && _dayOfWeekRestricted ? dom || dow : dom && dow;
    }

    /// <summary>The first matching minute strictly after <paramref name="after"/>, within about four years.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        var t = Truncate(after.ToUniversalTime()).AddMinutes(1);
        for (var i = 0; i < 4 * 366 * 24 * 60; i++, t = t.AddMinutes(1))
        {
            if (!_months[t.Month])
            {
                t = new DateTimeOffset(t.Year, t.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(1).AddMinutes(-1);
                continue;
            }

            if (Matches(t))
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>The latest matching minute at or before <paramref name="atOrBefore"/>, searching back at most <paramref name="horizon"/>.</summary>
    public DateTimeOffset? Previous(DateTimeOffset atOrBefore, TimeSpan horizon)
    {
        var t = Truncate(atOrBefore.ToUniversalTime());
        for (var back = TimeSpan.Zero; back <= horizon; back += TimeSpan.FromMinutes(1), t = t.AddMinutes(-1))
        {
            if (Matches(t))
            {
                return t;
            }
        }

        return null;
    }

    public override string ToString() => Text;

    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);

    private static bool[]? ParseField(string field, int min, int max, string[]? names, out string? error)
    {
        var set = new bool[max + 1];
        foreach (var item in field.Split(','))
        {
            var (range, step) = item.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] when int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 => (r, n),
                _ => (string.Empty, 0),
            };
            if (step == 0)
            {
                error = $"bad step in '{item}'";
                return null;
            }

            int low, high;
            if (range == "*")
            {
                (low, high) = (min, max);
            }
            else if (range.Split('-') is [var a, var b] && Value(a, names, min) is { } x && Value(b, names, min) is { } y)
            {
                (low, high) = (x, y);
            }
            else if (Value(range, names, min) is { } single)
            {
                (low, high) = (single, step > 1 ? max : single);
            }
            else
            {
                error = $"'{range}' is not a number or name";
                return null;
            }

            if (low < min || high > max || low > high)
            {
                error = $"'{range}' is outside {min}-{max}";
                return null;
            }

            for (var v = low; v <= high; v += step)
            {
                set[v] = true;
            }
        }

        error = null;
        return set;
    }

    private static int? Value(string text, string[]? names, int min)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        var index = names is null ? -1 : Array.IndexOf(names, text.ToUpperInvariant());
        return index < 0 ? null : index + min;
    }
}
