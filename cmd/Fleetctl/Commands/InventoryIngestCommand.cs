using System.CommandLine;
using System.Text;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;

namespace Fleetctl.Commands;

/// <summary>
/// <c>fleetctl inventory ingest FILE|DIR… | -</c>: adds recon reports to the inventory, all or
/// nothing: any bad record in any file means nothing is written.
/// </summary>
public static class InventoryIngestCommand
{
    private static readonly string[] ReconExtensions = [".json", ".ndjson", ".jsonl"];

    public static Command Create(GlobalOptions global, CliHost host)
    {
        var paths = new Argument<string[]>("files")
        {
            Description = "Recon files (a JSON object, an array, or NDJSON), directories of *.json/*.ndjson/*.jsonl files, or - for standard input.",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("ingest", "Add recon reports: unknown machines become available; known ones get their hardware facts updated.") { paths };
        command.SetAction(async (parse, ct) =>
        {
            // Every record is checked before the database is opened: bad input creates nothing.
            var inputs = await ReadInputsAsync(parse.GetValue(paths) ?? [], host, ct);
            var desired = InventoryCommand.LoadFleet(global, parse, host);
            var (records, diagnostics) = ReconReader.Read(inputs, ReconCatalog.From(desired.Fleet));
            if (!diagnostics.IsEmpty)
            {
                throw new FleetException(diagnostics);
            }

            var database = await InventoryCommand.OpenDatabaseAsync(desired, global, parse, host, ct);
            await using (database)
            {
                var result = await database.Inventory.IngestAsync(records, InventoryCommand.Audit("recon ingest"), ct);
                await host.Out.WriteLineAsync(
                    $"ingested {records.Length} records from {inputs.Count} file(s) into {database.Description}: " +
                    $"{result.Created} added, {result.Updated} updated, {result.Unchanged} unchanged");
                return ExitCodes.Success;
            }
        });
        return command;
    }

    private static async Task<List<ReconInput>> ReadInputsAsync(string[] paths, CliHost host, CancellationToken cancellationToken)
    {
        var inputs = new List<ReconInput>();
        var missing = new List<Diagnostic>();
        foreach (var path in paths)
        {
            if (path == "-")
            {
                inputs.Add(new ReconInput("<stdin>", Encoding.UTF8.GetBytes(await host.In.ReadToEndAsync(cancellationToken))));
                continue;
            }

            var full = Path.GetFullPath(path, host.CurrentDirectory);
            if (Directory.Exists(full))
            {
                var files = Directory.EnumerateFiles(full)
                    .Where(f => ReconExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    missing.Add(Diagnostic.Error(SourceLocation.OfFile(path), "no *.json, *.ndjson or *.jsonl files in this directory"));
                }

                foreach (var file in files)
                {
                    inputs.Add(new ReconInput(Path.Combine(path, Path.GetFileName(file)), await File.ReadAllBytesAsync(file, cancellationToken)));
                }
            }
            else if (File.Exists(full))
            {
                inputs.Add(new ReconInput(path, await File.ReadAllBytesAsync(full, cancellationToken)));
            }
            else
            {
                missing.Add(Diagnostic.Error(SourceLocation.OfFile(path), "no such file or directory"));
            }
        }

        return missing.Count > 0 ? throw new FleetException(missing) : inputs;
    }
}
