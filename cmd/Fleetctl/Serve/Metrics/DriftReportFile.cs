using System.Text.Json;
using Fleet.Engine.GitOps;

namespace Fleetctl.Serve.Metrics;

/// <summary>
/// The drift report the last <c>fleetctl reconcile</c> pass wrote (by default
/// <c>.fleet/reconcile/report.json</c> in the fleet directory): the state database does not record
/// reconcile passes, so this file is where the console and <c>/metrics</c> read the last drift from.
/// A missing or unreadable report is no report.
/// </summary>
internal sealed class DriftReportFile(string path)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Path => path;

    public static DriftReportFile InFleet(string fleetDirectory) =>
        new(System.IO.Path.Combine(fleetDirectory, ".fleet", "reconcile", "report.json"));

    public async Task<DriftReport?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<DriftReport>(stream, Json, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return null;
        }
    }

    public static string StatusName(ReconcileStatus status) => status switch
    {
        ReconcileStatus.InSync => "in_sync",
        ReconcileStatus.Repaired => "repaired",
        ReconcileStatus.Drift => "drift",
        _ => "failed",
    };
}
