using System.Text.Json;
using Fleet.Engine.Execution;
using Fleet.Engine.Inventory;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;
using Fleet.Providers.Physical.Planning;
using Fleetctl.Apply;
using Fleetctl.Commands;

namespace Fleetctl.Tests.Rendering;

/// <summary>Machines as JSON: streamed in chunks, every machine complete and in order.</summary>
public sealed class InventoryRendererTests
{
    private static readonly DateTimeOffset Created = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_stream_longer_than_many_chunks_is_one_valid_array_in_order_with_every_field()
    {
        var machines = Enumerable.Range(0, 1_300).Select(Sample).ToList();
        var output = new StringWriter();

        await InventoryRenderer.WriteJsonAsync(output, Yield(machines), array: true, CancellationToken.None);

        using var document = JsonDocument.Parse(output.ToString());
        var array = document.RootElement;
        Assert.Equal(machines.Select(m => m.HardwareName), array.EnumerateArray().Select(e => e.GetProperty("hardwareName").GetString()));
        var bare = array[0];
        Assert.Equal(JsonValueKind.Null, bare.GetProperty("bmc").ValueKind);
        Assert.Equal(JsonValueKind.Null, bare.GetProperty("rack").ValueKind);
        Assert.Equal(0, bare.GetProperty("interfaces").GetArrayLength());
        var full = array[1_298];
        Assert.Equal("in_use", full.GetProperty("state").GetString());
        Assert.Equal(623, full.GetProperty("bmc").GetProperty("port").GetInt32());
        Assert.Equal("bond \"é\"", full.GetProperty("interfaces")[1].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, full.GetProperty("interfaces")[1].GetProperty("ip").ValueKind);
        Assert.Equal(Created.AddSeconds(1_298), full.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_list_and_the_same_machines_streamed_render_the_same_bytes()
    {
        var machines = Enumerable.Range(0, 700).Select(Sample).ToList();
        var listed = new StringWriter();
        var streamed = new StringWriter();

        await InventoryRenderer.WriteJsonAsync(listed, machines, array: true, CancellationToken.None);
        await InventoryRenderer.WriteJsonAsync(streamed, Yield(machines), array: true, CancellationToken.None);

        Assert.Equal(listed.ToString(), streamed.ToString());
    }

    /// <summary>Every third machine bare (no rack, BMC or interface), the others assigned with several interfaces.</summary>
    [Fact]
    public async Task Control_characters_from_recon_never_reach_the_terminal_in_any_renderer()
    {
        // The reproducer of issue 15: a rack that retitles the terminal and clears the screen.
        const string Hostile = "\u001b]0;pwned\u0007\u001b[2J";
        var machine = Sample(1) with { Rack = Hostile, Bmc = new BmcEndpoint("bmc\u009b1", null) };
        var table = new StringWriter();
        var detail = new StringWriter();
        var jobs = new StringWriter();
        var job = new Job(1, "a1", "1", "install", "SN1" + Hostile, "lon", [], JobStatus.Failed, 1, null, null, "w\u001b[2J", "alice", null, null, Created, null, null, "installer: " + Hostile, null, null);

        await InventoryRenderer.WriteTableAsync(table, [machine]);
        await InventoryRenderer.WriteDetailAsync(detail, machine);
        await JobRenderer.WriteTableAsync(jobs, [job], Created);
        await JobRenderer.WriteDetailAsync(jobs, job, Created);
        var (progress, _) = ProgressPrinter.Describe(new ExecutionEvent(ExecutionEventKind.Failed, Created, "1", "pool/web", PhysicalActions.Install, "SN1", "lon", 1, "installer: " + Hostile));

        foreach (var text in new[] { table.ToString(), detail.ToString(), jobs.ToString(), progress })
        {
            Assert.DoesNotContain(text, c => char.IsControl(c) && c is not '\n');
        }

        Assert.Contains("?]0;pwned??[2J", table.ToString(), StringComparison.Ordinal);
        Assert.Contains("rack          ?]0;pwned??[2J\n", detail.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.EndsWith("failed: installer: ?]0;pwned??[2J", progress, StringComparison.Ordinal);
    }

    private static Machine Sample(int n) => n % 3 == 0
        ? new Machine($"SN{n:D6}", "compute", "lon", null, null, [], MachineState.Available, null, null, null, null, Created, Created.AddSeconds(n), 1)
        : new Machine(
            $"SN{n:D6}", "high-io", "sto", "r2", new BmcEndpoint("10.9.0.1", 623),
            [new NetworkInterface("eth0", "02:00:00:00:00:01", "10.2.0.1"), new NetworkInterface("bond \"é\"", "02:00:00:00:00:02", null)],
            MachineState.InUse, $"sto-db-{n:D5}", "db", "db-sto", "debian-12", Created, Created.AddSeconds(n), n);

    private static async IAsyncEnumerable<Machine> Yield(IEnumerable<Machine> machines)
    {
        foreach (var machine in machines)
        {
            await Task.Yield();
            yield return machine;
        }
    }
}
