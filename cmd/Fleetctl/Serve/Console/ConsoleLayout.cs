using Microsoft.AspNetCore.Http;

namespace Fleetctl.Serve.Console;

/// <summary>The frame of every console page: head with the bundled stylesheet and script, navigation, the page's main element.</summary>
internal static class ConsoleLayout
{
    private static readonly (string Path, string Name)[] Sections =
    [
        ("/", "Overview"), ("/machines", "Machines"), ("/jobs", "Jobs"), ("/applies", "Applies"), ("/drift", "Drift"), ("/zones", "Zones"),
    ];

    /// <summary>
    /// A whole page. <paramref name="live"/> pages are refreshed in place every few seconds by the
    /// bundled script (the main element is fetched again and swapped); without JavaScript they are
    /// plain pages that a reload refreshes.
    /// </summary>
    public static IResult Page(string title, string fleet, Caller caller, Html main, bool live = false, int status = StatusCodes.Status200OK)
    {
        var page = new Html();
        page.Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Raw("<title>").Text(title).Raw(" · ").Text(fleet).Raw(" · fleetctl</title>")
            .Raw("<link rel=\"stylesheet\" href=\"/assets/console.css\"><script src=\"/assets/console.js\" defer></script></head><body>")
            .Raw("<header><nav><strong class=\"brand\">").Text(fleet).Raw("</strong><ul>");
        foreach (var (path, name) in Sections)
        {
            page.Raw("<li>").Link(path, name).Raw("</li>");
        }

        page.Raw("</ul><span class=\"who\">");
        if (caller.Level == AccessLevel.None)
        {
            page.Link("/login", "Log in");
        }
        else
        {
            page.Text(caller.Level == AccessLevel.Admin ? "admin" : "viewer")
                .Raw(" <form method=\"post\" action=\"/logout\" class=\"inline\"><button type=\"submit\" class=\"link\">Log out</button></form>");
        }

        page.Raw("</span></nav></header>")
            .Raw(live ? "<main data-live=\"5\">" : "<main>")
            .Raw("<h1>").Text(title).Raw("</h1>")
            .Raw(main.ToString())
            .Raw("</main><footer>fleetctl console · desired state changes go through git</footer></body></html>");
        return Results.Text(page.ToString(), "text/html; charset=utf-8", statusCode: status);
    }

    public static IResult Error(int status, string message, string fleet, Caller caller)
    {
        var main = new Html().Raw("<p class=\"error\">").Text(message).Raw("</p>");
        if (status == StatusCodes.Status401Unauthorized)
        {
            main.Raw("<p>").Link("/login", "Log in with a token").Raw("</p>");
        }

        return Page(status switch
        {
            StatusCodes.Status400BadRequest => "Bad request",
            StatusCodes.Status401Unauthorized => "Log in needed",
            StatusCodes.Status403Forbidden => "Forbidden",
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status409Conflict => "Conflict",
            _ => "Error",
        }, fleet, caller, main, status: status);
    }
}
