using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Fuzzing;

/// <summary>
/// Fuzzed recon records through what <c>inventory ingest</c> does (read, validate, ingest into the
/// quickstart's SQLite inventory): every input is either ingested or refused with located errors,
/// never an internal error, and a refused one writes nothing.
/// </summary>
public sealed class ReconFuzzTests
{
    private const int Seed = 15;

    [Fact]
    public async Task Fuzzed_recon_records_are_ingested_or_refused_with_a_location_and_never_crash_hang_or_write_when_refused()
    {
        using var fleet = TestFleet.Quickstart();
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        var catalog = ReconCatalog.From(Fleetctl.FleetRuntime.Standard.Loader.LoadOrThrow(new Fleet.Engine.Loading.DirectorySource(fleet.Directory)).Fleet);
        await using var database = await fleet.OpenAsync();
        var mutator = new ReconMutator(Seed);
        var tally = new FuzzTally("recon ingest");
        for (var i = FuzzTally.CasesOr(1_000); i > 0; i--)
        {
            var input = mutator.Next();
            var before = await SnapshotAsync(database.Inventory);
            var run = IngestAsync(database.Inventory, catalog, input);
            if (await Task.WhenAny(run, Task.Delay(FuzzTally.HangAfter)) != run)
            {
                tally.Hang(input);
                continue;
            }

            var (diagnostics, crash) = await run;
            tally.Case(refused: diagnostics is not null || crash is not null);
            if (crash is not null)
            {
                tally.Crash(input, crash);
            }
            else if (diagnostics is not null)
            {
                if (diagnostics.Any(d => d.Location.IsNone || d.Location.Line == 0))
                {
                    tally.NoLocation(input, string.Join("; ", diagnostics));
                }

                if (await SnapshotAsync(database.Inventory) != before)
                {
                    tally.Wrote(input, string.Join("; ", diagnostics));
                }
            }
        }

        tally.Finish(Seed);
    }

    /// <summary>The diagnostics of a refused input (null when ingested), or the exception that is a bug.</summary>
    private static async Task<(IReadOnlyList<Diagnostic>? Diagnostics, string? Crash)> IngestAsync(IInventoryStore inventory, ReconCatalog catalog, byte[] input)
    {
        try
        {
            var (records, diagnostics) = ReconReader.Read([new ReconInput("fuzz.json", input)], catalog);
            if (!diagnostics.IsEmpty)
            {
                return (diagnostics, null);
            }

            await inventory.IngestAsync(records, new AuditContext("fuzz"), CancellationToken.None);
            return (null, null);
        }
        catch (FleetException e)
        {
            return (e.Diagnostics, null);
        }
#pragma warning disable CA1031 // Whatever it is, it is the finding.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return (null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Enough of the inventory to see any write: machines, their versions, their latest change.</summary>
    private static async Task<(int Machines, long Versions, DateTimeOffset Latest)> SnapshotAsync(IInventoryStore inventory)
    {
        var machines = await inventory.ListMachinesAsync(null, CancellationToken.None);
        return (machines.Length, machines.Sum(m => m.Version), machines.Select(m => m.UpdatedAt).DefaultIfEmpty().Max());
    }
}
