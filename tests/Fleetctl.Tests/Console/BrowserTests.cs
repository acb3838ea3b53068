using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleetctl.Tests.Apply;
using Fleetctl.Tests.Serve;
using Microsoft.Playwright;

namespace Fleetctl.Tests.Console;

/// <summary>
/// The console's pages in a real headless Chromium (Debian's <c>chromium</c>, driven by Playwright
/// through its executable path; Playwright's own browsers are never installed). Screenshots of each
/// step are saved under <c>screenshots/</c> in the test output directory.
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private TestFleet fleet = null!;
    private RunningServe serve = null!;
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), "chromium is not installed; ./test.sh installs it (Debian package chromium)");
        Directory.CreateDirectory(Screenshots);
        fleet = await AppliedFleet.CreateAsync();
        serve = await RunningServe.StartAsync(fleet, "--admin-token", "env:FLEET_ADMIN_TOKEN");
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
    }

    public async Task DisposeAsync()
    {
        await browser.CloseAsync();
        playwright.Dispose();
        await serve.DisposeAsync();
        fleet.Dispose();
    }

    [Fact]
    public async Task The_overview_shows_the_numbers_of_the_apply_and_updates_itself_when_the_inventory_changes()
    {
        var page = await NewPageAsync(javaScript: true);
        await page.GotoAsync(serve.Address.ToString());
        Assert.Equal("40", await page.InnerTextAsync("#machines-total"));
        var web = page.Locator("tr[data-pool=web-lon]");
        Assert.Equal(("5", "5", "0", "0"), (await web.Locator("td.desired").InnerTextAsync(), await web.Locator("td.in_use").InnerTextAsync(),
            await web.Locator("td.installing").InnerTextAsync(), await web.Locator("td.broken").InnerTextAsync()));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "overview.png"), FullPage = true });

        // A machine of the pool breaks: the page shows it without a reload.
        await using (var database = await fleet.OpenAsync())
        {
            var machine = (await database.Inventory.ListMachinesAsync(new MachineFilter(Pool: "web-lon"), CancellationToken.None))[0];
            await database.Inventory.TransitionAsync(MachineTransition.From(machine, MachineState.Broken), new AuditContext("test", "browser test"), CancellationToken.None);
        }

        await Assertions.Expect(page.Locator("tr[data-pool=web-lon] td.broken")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        Assert.Equal("4", await page.Locator("tr[data-pool=web-lon] td.in_use").InnerTextAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "overview-live.png"), FullPage = true });

        // Without JavaScript the page is complete as served.
        var plain = await NewPageAsync(javaScript: false);
        await plain.GotoAsync(serve.Address + "pools/web-lon");
        Assert.Contains("pools/lon.yaml:", await plain.InnerTextAsync("main"), StringComparison.Ordinal);
        await plain.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "pool-no-js.png"), FullPage = true });
    }

    [Fact]
    public async Task The_machine_search_and_filters_narrow_the_table()
    {
        var page = await NewPageAsync(javaScript: true);
        await page.GotoAsync(serve.Address + "machines");
        Assert.Equal("40", await page.InnerTextAsync("#machine-count"));

        await page.FillAsync("input[name=q]", "sm64cf");
        await page.ClickAsync("form.filters button[type=submit]");
        await Assertions.Expect(page.Locator("#machine-count")).ToHaveTextAsync("1");
        Assert.Equal(1, await page.Locator("table.machines tbody tr").CountAsync());
        Assert.Contains("SM64CFUWQ", await page.InnerTextAsync("table.machines"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "machines-search.png"), FullPage = true });

        await page.FillAsync("input[name=q]", "");
        await page.SelectOptionAsync("select[name=site]", "lon");
        await page.SelectOptionAsync("select[name=state]", "in_use");
        await page.ClickAsync("form.filters button[type=submit]");
        await Assertions.Expect(page.Locator("#machine-count")).ToHaveTextAsync("13");
        Assert.Equal(13, await page.Locator("table.machines tbody tr").CountAsync());
        Assert.Contains("state=in_use", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "machines-filtered.png"), FullPage = true });
    }

    [Fact]
    public async Task A_job_retry_from_the_job_page_is_refused_without_the_admin_token_and_works_with_it()
    {
        var failed = await AppliedFleet.FailedJobAsync(fleet);
        var page = await NewPageAsync(javaScript: true);
        await page.GotoAsync(serve.Address + $"jobs/{failed.Id}");
        Assert.Equal("failed", await page.InnerTextAsync("#job-status"));
        await page.CheckAsync("form[data-action=retry] input[name=confirm]");
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form[data-action=retry] button"), r => r.Url.EndsWith("/retry", StringComparison.Ordinal));
        Assert.Equal(401, refused.Status);
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("needs the admin token");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "retry-refused.png"), FullPage = true });
        Assert.Equal(JobStatus.Failed, await AppliedFleet.JobStatusAsync(fleet, failed.Id));

        await page.GotoAsync(serve.Address + "login");
        await page.FillAsync("input[name=token]", "not-the-admin-token");
        await page.ClickAsync("form.login button");
        Assert.Contains("neither the viewer nor the admin token", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.FillAsync("input[name=token]", AppliedFleet.AdminToken);
        await page.ClickAsync("form.login button");
        await Assertions.Expect(page.Locator("header .who")).ToContainTextAsync("admin");

        await page.GotoAsync(serve.Address + $"jobs/{failed.Id}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "job-failed.png"), FullPage = true });
        await page.CheckAsync("form[data-action=retry] input[name=confirm]");
        await page.ClickAsync("form[data-action=retry] button");
        await Assertions.Expect(page.Locator("#job-status")).ToHaveTextAsync("queued");
        Assert.Equal(JobStatus.Queued, await AppliedFleet.JobStatusAsync(fleet, failed.Id));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "job-retried.png"), FullPage = true });
        Assert.DoesNotContain(AppliedFleet.AdminToken, await page.ContentAsync(), StringComparison.Ordinal);
    }

    private async Task<IPage> NewPageAsync(bool javaScript)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = javaScript, ViewportSize = new() { Width = 1280, Height = 900 } });
        return await context.NewPageAsync();
    }
}
