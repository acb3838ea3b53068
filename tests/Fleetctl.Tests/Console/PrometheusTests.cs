using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fleetctl.Tests.Apply;
using Fleetctl.Tests.Serve;

namespace Fleetctl.Tests.Console;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c>) on loopback scrapes <c>fleetctl serve</c> and
/// a <c>fleetctl worker --metrics-listen</c>; after an apply, PromQL over its HTTP API returns the
/// inventory's machine counts and the worker's attempts.
/// </summary>
public sealed partial class PrometheusTests
{
    [Fact]
    public async Task Prometheus_scrapes_serve_and_a_worker_and_answers_promql_with_the_machine_counts_after_an_apply()
    {
        var binary = FindOnPath("prometheus");
        Assert.True(binary is not null, "prometheus is not installed; ./test.sh installs it (Debian package prometheus)");
        using var fleet = await AppliedFleet.CreateAsync();
        var failed = await AppliedFleet.FailedJobAsync(fleet);
        await using (var database = await fleet.OpenAsync())
        {
            await database.Jobs.RetryAsync(failed.Id, DateTimeOffset.UtcNow, CancellationToken.None); // work for the worker
        }

        await using var serve = await RunningServe.StartAsync(fleet);
        using var stopWorker = new CancellationTokenSource();
        var workerOut = new StringWriter();
        var host = new CliHost(TextWriter.Synchronized(workerOut), TextWriter.Null, new StringReader(string.Empty), fleet.Environment, fleet.Directory, false, TimeProvider.System);
        var worker = Task.Run(() => Cli.RunAsync(["worker", "--metrics-listen", "127.0.0.1:0"], host, stopWorker.Token));
        try
        {
            var workerMetrics = await WaitForAsync(() => MetricsAt().Match(workerOut.ToString()) is { Success: true } m ? m.Groups[1].Value : null, "the worker's metrics listener");
            var directory = Directory.CreateTempSubdirectory("fleet-prometheus-").FullName;
            var port = FreePort();
            File.WriteAllText(Path.Combine(directory, "prometheus.yml"), $"""
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: fleetctl-serve
                    static_configs: [{"{"} targets: ["{serve.Address.Authority}"] {"}"}]
                  - job_name: fleetctl-worker
                    static_configs: [{"{"} targets: ["{new Uri(workerMetrics).Authority}"] {"}"}]
                """);
            using var prometheus = Process.Start(new ProcessStartInfo(binary!,
                [$"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                 $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            prometheus.OutputDataReceived += (_, _) => { };
            prometheus.ErrorDataReceived += (_, _) => { };
            prometheus.BeginOutputReadLine();
            prometheus.BeginErrorReadLine();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
                Assert.Equal("21", await WaitForAsync(() => QueryAsync(http, "sum(fleet_machines{state=\"in_use\"})"), "21 machines in_use in Prometheus", expected: "21"));
                Assert.Equal("19", await QueryAsync(http, "sum(fleet_machines{state=\"available\"})"));
                Assert.Equal("5", await QueryAsync(http, "fleet_pool_desired_size{pool=\"web-lon\"}"));
                Assert.Equal("5", await QueryAsync(http, "fleet_pool_machines{pool=\"web-lon\",state=\"in_use\"}"));
                Assert.Equal("1", await WaitForAsync(() => QueryAsync(http, "up{job=\"fleetctl-worker\"}"), "the worker scraped", expected: "1"));
                Assert.Equal("1", await WaitForAsync(() => QueryAsync(http, "sum(fleet_worker_job_attempts_total)"), "the worker's attempt in Prometheus", expected: "1"));
            }
            finally
            {
                prometheus.Kill(entireProcessTree: true);
                await prometheus.WaitForExitAsync();
                Directory.Delete(directory, recursive: true);
            }
        }
        finally
        {
            await stopWorker.CancelAsync();
            await worker;
        }
    }

    /// <summary>The single value of an instant query, or null while it has none.</summary>
    private static async Task<string?> QueryAsync(HttpClient http, string promql)
    {
        try
        {
            var answer = JsonNode.Parse(await http.GetStringAsync("api/v1/query?query=" + Uri.EscapeDataString(promql)))!;
            return answer["data"]!["result"]!.AsArray() is [{ } first] ? (string?)first["value"]![1] : null;
        }
        catch (HttpRequestException)
        {
            return null; // still starting
        }
    }

    private static async Task<string> WaitForAsync(Func<string?> probe, string what) => await WaitForAsync(() => Task.FromResult(probe()), what, expected: null);

    private static async Task<string> WaitForAsync(Func<Task<string?>> probe, string what, string? expected)
    {
        string? last = null;
        for (var tries = 0; tries < 300; tries++)
        {
            last = await probe();
            if (last is not null && (expected is null || last == expected))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"waited 30 s for {what}; last answer: {last ?? "none"}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"metrics at (http://127\.0\.0\.1:\d+)/metrics")]
    private static partial Regex MetricsAt();
}
