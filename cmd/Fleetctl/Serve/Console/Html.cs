using System.Globalization;
using System.Net;
using System.Text;

namespace Fleetctl.Serve.Console;

/// <summary>
/// A page being written: text goes through <see cref="Text"/>, which HTML-encodes it, and markup the
/// console writes itself through <see cref="Raw"/>. Nothing from the inventory, the YAML or a request
/// reaches the page unencoded.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder builder = new(16 * 1024);

    public Html Raw(string markup)
    {
        builder.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        builder.Append(WebUtility.HtmlEncode(text ?? string.Empty));
        return this;
    }

    public Html Number(long value)
    {
        builder.Append(value.ToString("N0", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A link; <paramref name="href"/> is built by the console from escaped parts (<see cref="Url"/>).</summary>
    public Html Link(string href, string? text) => Raw("<a href=\"").Text(href).Raw("\">").Text(text).Raw("</a>");

    /// <summary>A table cell holding <paramref name="text"/>, with a class for numbers or badges.</summary>
    public Html Cell(string? text, string? css = null) =>
        (css is null ? Raw("<td>") : Raw("<td class=\"").Text(css).Raw("\">")).Text(text).Raw("</td>");

    public Html Cell(long value) => Raw("<td class=\"num\">").Number(value).Raw("</td>");

    public Html Header(params string[] names)
    {
        Raw("<thead><tr>");
        foreach (var name in names)
        {
            Raw("<th>").Text(name).Raw("</th>");
        }

        return Raw("</tr></thead>");
    }

    public static string Url(string path, params (string Name, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{Uri.EscapeDataString(q.Name)}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join('&', parts);
    }

    public static string Segment(string value) => Uri.EscapeDataString(value);

    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "—";

    public override string ToString() => builder.ToString();
}
