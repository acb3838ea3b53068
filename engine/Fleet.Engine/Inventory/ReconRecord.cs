using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Inventory;

/// <summary>
/// The hardware facts recon reports for one machine, validated and normalised (MACs lower-case with
/// colons, IPs in canonical form). <see cref="Location"/> and <see cref="Number"/> (1-based, per file)
/// say where the record was read, for errors.
/// </summary>
public sealed record ReconRecord(
    string HardwareName,
    string HardwareType,
    string Site,
    string? Rack,
    BmcEndpoint? Bmc,
    ImmutableArray<NetworkInterface> Interfaces,
    SourceLocation Location,
    int Number)
{
    /// <summary>A diagnostic about this record: <c>file:line:column: error: record N: message</c>.</summary>
    public Diagnostic Error(string message) => Diagnostic.Error(Location, $"record {Number}: {message}");

    /// <summary>True when a stored machine already has exactly these facts.</summary>
    public bool SameFacts(Machine machine) =>
        machine.HardwareType == HardwareType
        && machine.Site == Site
        && machine.Rack == Rack
        && machine.Bmc == Bmc
        && machine.Interfaces.SequenceEqual(Interfaces);
}

/// <summary>What an ingest did: machines added, machines whose facts changed, machines already up to date.</summary>
public sealed record IngestResult(int Created, int Updated, int Unchanged);

/// <summary>What a registration did (<see cref="Result"/>), or why it wrote nothing (<see cref="Conflicts"/>, one per offending record).</summary>
public sealed record Registration(IngestResult? Result, ImmutableArray<Diagnostic> Conflicts);
