using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.State;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Fleetctl.Serve.Metrics;

/// <summary>
/// <c>/metrics</c> (Prometheus text format), <c>/healthz</c> (the process answers) and <c>/readyz</c>
/// (the state database answers and its schema is current), the same on serve and on a worker's
/// metrics listener.
/// </summary>
internal static class ProbeEndpoints
{
    public static void Map(WebApplication app, CollectorRegistry registry, StateDatabase database)
    {
        app.MapGet("/metrics", async (HttpContext context, CancellationToken ct) =>
        {
            context.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
            await registry.CollectAndExportAsTextAsync(context.Response.Body, ct);
        });
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain; charset=utf-8"));
        app.MapGet("/readyz", async (CancellationToken ct) =>
        {
            string problem;
            try
            {
                if (await database.IsCurrentAsync(ct))
                {
                    return Results.Text("ready\n", "text/plain; charset=utf-8");
                }

                problem = "the state database's schema is not current: migrations are pending";
            }
            catch (FleetException e)
            {
                problem = string.Join("; ", e.Diagnostics.Select(d => d.Message));
            }

            return Results.Json(new JsonObject { ["error"] = problem }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
    }
}
