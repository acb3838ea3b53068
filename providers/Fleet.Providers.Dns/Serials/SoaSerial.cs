using System.Globalization;

namespace Fleet.Providers.Dns.Serials;

/// <summary>
/// SOA serials in the <c>YYYYMMDDnn</c> convention: the first push of a day gets <c>YYYYMMDD01</c>; later
/// ones count up. A serial never goes down: it is always above both the last pushed one and the one the
/// server serves (a hand edit may have bumped it), even when that runs past the day's 100 pushes.
/// </summary>
public static class SoaSerial
{
    public static uint Next(DateOnly today, uint? lastPushed, uint? served)
    {
        var dated = uint.Parse(today.ToString("yyyyMMdd", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) * 100u + 1;
        var floor = Math.Max(lastPushed ?? 0, served ?? 0);
        return floor < dated ? dated : floor + 1;
    }
}
