using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;

namespace Fleet.State.Tests.Inventory;

/// <summary>Pages, searches and grouped counts of the console, in SQL, run unchanged against SQLite and PostgreSQL.</summary>
public abstract class MachinePageTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private StateDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);
        var records = Enumerable.Range(1, 30).Select(n => TestData.Record(n, site: n % 3 == 0 ? "sto" : "lon", hardwareType: n % 2 == 0 ? "compute" : "high-io")).ToList();
        await database.Inventory.IngestAsync(records, TestData.Audit, CancellationToken.None);
        foreach (var n in new[] { 4, 8, 10 })
        {
            var machine = (await database.Inventory.GetMachineAsync($"SN{n:D6}", CancellationToken.None))!;
            await database.Inventory.TransitionAsync(
                new MachineTransition(machine.HardwareName, machine.Version, MachineState.Installing, $"lon-web-x{n:D4}", "web", "web-lon", "debian-12"), TestData.Audit, CancellationToken.None);
        }
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Pages_follow_the_serial_order_and_link_to_the_next_page_until_the_last()
    {
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), After: after, Limit: 7), CancellationToken.None);
            Assert.Equal(30, page.Total);
            seen.AddRange(page.Machines.Select(m => m.HardwareName));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(5, pages);
        Assert.Equal(Enumerable.Range(1, 30).Select(n => $"SN{n:D6}"), seen);
    }

    [Fact]
    public async Task A_page_is_filtered_and_searched_by_the_start_of_the_serial_or_hostname_in_any_case()
    {
        var lonCompute = await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(Site: "lon", HardwareType: "compute")), CancellationToken.None);
        Assert.Equal(["SN000002", "SN000004", "SN000008", "SN000010", "SN000014", "SN000016", "SN000020", "SN000022", "SN000026", "SN000028"], lonCompute.Machines.Select(m => m.HardwareName));
        Assert.Equal(10, lonCompute.Total);
        Assert.Null(lonCompute.Next);

        var byHostname = await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(State: MachineState.Installing), Search: "LON-WEB-X00"), CancellationToken.None);
        Assert.Equal(["SN000004", "SN000008", "SN000010"], byHostname.Machines.Select(m => m.HardwareName));

        var bySerial = await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), Search: "sn00002"), CancellationToken.None);
        Assert.Equal(10, bySerial.Total); // SN000020 … SN000029

        // A search is for a start, not a part; wildcards are text.
        Assert.Equal(0, (await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), Search: "web-x"), CancellationToken.None)).Total);
        Assert.Equal(1, (await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), Search: "lon-web-x0008"), CancellationToken.None)).Total);
        Assert.Equal(0, (await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), Search: "%"), CancellationToken.None)).Total);
        Assert.Equal(0, (await database.Inventory.PageMachinesAsync(new MachinePageQuery(new MachineFilter(), Search: "SN_0"), CancellationToken.None)).Total);
    }

    [Fact]
    public async Task Counts_group_machines_by_site_state_pool_hardware_and_role_and_jobs_by_action_site_and_status()
    {
        var counts = await database.Inventory.CountMachinesAsync(CancellationToken.None);
        Assert.Equal(30, counts.Sum(c => c.Count));
        Assert.Equal(3, counts.Single(c => c.State == MachineState.Installing).Count);
        Assert.Equal(("lon", "web-lon", "compute", "web"), counts.Where(c => c.State == MachineState.Installing).Select(c => (c.Site, c.Pool!, c.HardwareType, c.Role!)).Single());
        Assert.Equal(10, counts.Where(c => c.Site == "sto").Sum(c => c.Count));

        var now = DateTimeOffset.UtcNow;
        var job = await database.Jobs.EnqueueAsync(new NewJob("a1", "1", "install", "SN000001", "lon", [], "test", null, null), now, CancellationToken.None);
        await database.Jobs.EnqueueAsync(new NewJob("a1", "2", "install", "SN000002", "lon", [], "test", null, null), now, CancellationToken.None);
        await database.Jobs.ClaimAsync(job.Id, new JobClaim("w", null, now, now.AddMinutes(1)), CancellationToken.None);
        var jobs = await database.Jobs.CountAsync(CancellationToken.None);
        Assert.Equal([("install", "lon", JobStatus.Queued, 1L, 0L), ("install", "lon", JobStatus.Running, 1L, 1L)],
            jobs.Select(j => (j.Action, j.Site!, j.Status, j.Count, j.Attempts)).OrderBy(j => j.Status));
        Assert.Single(await database.Jobs.ListAsync(new JobQuery(Target: "SN000002"), CancellationToken.None));
    }
}

public sealed class SqliteMachinePageTests(SqliteProvider provider) : MachinePageTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresMachinePageTests(PostgresProvider provider) : MachinePageTests(provider), IClassFixture<PostgresProvider>;
