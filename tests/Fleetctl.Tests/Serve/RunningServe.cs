using System.Text.RegularExpressions;
using Fleetctl.Tests.Apply;

namespace Fleetctl.Tests.Serve;

/// <summary>
/// <c>fleetctl serve</c> running in-process on a free loopback port of a test fleet, until disposed;
/// <see cref="Http"/> talks to it.
/// </summary>
internal sealed partial class RunningServe : IAsyncDisposable
{
    public const string Images = "http://images.test/boot/";

    private readonly CancellationTokenSource stop = new();
    private readonly StringWriter output = new();
    private readonly StringWriter error = new();
    private Task<int> run = null!;

    public HttpClient Http { get; private set; } = null!;

    public Uri Address => Http.BaseAddress!;

    /// <summary>What the server wrote to stderr so far.</summary>
    public string Err
    {
        get
        {
            lock (error)
            {
                return error.ToString();
            }
        }
    }

    /// <summary>What the server wrote to stdout so far (its log).</summary>
    public string Out
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts serve on a free loopback port, or with <paramref name="arguments"/> after the images (another --listen, tokens).</summary>
    public static async Task<RunningServe> StartAsync(TestFleet fleet, params string[] arguments)
    {
        var serve = new RunningServe();
        var host = new CliHost(TextWriter.Synchronized(serve.output), TextWriter.Synchronized(serve.error), new StringReader(string.Empty), fleet.Environment, fleet.Directory, false, TimeProvider.System);
        string[] args = arguments.Contains("--listen") ? ["serve", "--images", Images, .. arguments] : ["serve", "--listen", "127.0.0.1:0", "--images", Images, .. arguments];
        serve.run = Task.Run(() => Cli.RunAsync(args, host, serve.stop.Token));
        for (var waited = 0; waited < 300; waited++)
        {
            string text;
            lock (serve.output)
            {
                text = serve.output.ToString();
            }

            if (Listening().Match(text) is { Success: true } match)
            {
                // A wildcard listener is reached at loopback.
                serve.Http = new HttpClient { BaseAddress = new Uri(match.Groups[1].Value.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal) + "/") };
                return serve;
            }

            if (serve.run.IsCompleted)
            {
                throw new InvalidOperationException($"fleetctl serve exited {await serve.run}: {serve.Err}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("fleetctl serve did not start listening within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (run is not null)
        {
            await run;
        }

        Http?.Dispose();
        stop.Dispose();
    }

    [GeneratedRegex(@"listening on (http://(?:127\.0\.0\.1|0\.0\.0\.0):\d+)")]
    private static partial Regex Listening();
}
