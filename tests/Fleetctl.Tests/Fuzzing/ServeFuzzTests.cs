using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fleet.State;
using Fleetctl.Tests.Apply;
using Fleetctl.Tests.Serve;

namespace Fleetctl.Tests.Fuzzing;

/// <summary>
/// Fuzzed requests to <c>fleetctl serve</c> on a loopback port: recon registrations, completions,
/// boot paths and status queries. None is a 500 or goes unanswered; a refused registration names
/// where in the body each problem is, and writes nothing.
/// </summary>
public sealed partial class ServeFuzzTests
{
    private const int Seed = 2026;

    [Fact]
    public async Task Fuzzed_requests_never_get_a_500_or_no_answer_and_a_refused_registration_is_located_and_writes_nothing()
    {
        using var fleet = TestFleet.Quickstart();
        Assert.Equal(0, (await fleet.RunAsync("inventory", "ingest", "recon")).Exit);
        await using var serve = await RunningServe.StartAsync(fleet);
        serve.Http.Timeout = FuzzTally.HangAfter;
        await using var database = await fleet.OpenAsync();
        var mutator = new ReconMutator(Seed);
        var random = new Random(Seed);
        var tally = new FuzzTally("serve requests");
        for (var i = FuzzTally.CasesOr(400); i > 0; i--)
        {
            var body = mutator.Next();
            var kind = random.Next(5);
            var before = kind == 0 ? await CountAsync(database) : default;
            HttpResponseMessage response;
            try
            {
                response = await SendAsync(serve.Http, kind, body, random);
            }
            catch (TaskCanceledException)
            {
                tally.Hang(body);
                continue;
            }

            using (response)
            {
                var text = await response.Content.ReadAsStringAsync();
                tally.Case(refused: (int)response.StatusCode >= 400);
                if ((int)response.StatusCode >= 500)
                {
                    tally.Crash(body, $"{kind}: {(int)response.StatusCode} {text}");
                }
                else if (kind == 0 && response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict)
                {
                    var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
                    if (errors.Count == 0 || errors.Any(e => !Located().IsMatch(e)))
                    {
                        tally.NoLocation(body, text);
                    }

                    if (await CountAsync(database) != before)
                    {
                        tally.Wrote(body, text);
                    }
                }
            }
        }

        tally.Finish(Seed);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, int kind, byte[] body, Random random)
    {
        switch (kind)
        {
            case 0:
                return http.PostAsync("v1/recon", new ByteArrayContent(body));
            case 1:
                var completion = new HttpRequestMessage(HttpMethod.Post, "v1/completions") { Content = new ByteArrayContent(Completion(body, random)) };
                completion.Headers.TryAddWithoutValidation("Authorization", random.Next(4) == 0 ? "Bearer" : $"Bearer {Convert.ToBase64String(body.Take(24).ToArray())}");
                return http.SendAsync(completion);
            case 2:
                return http.GetAsync("boot/" + Uri.EscapeDataString(Encoding.UTF8.GetString(body.Take(random.Next(40)).ToArray())));
            case 3:
                var query = Uri.EscapeDataString(Encoding.UTF8.GetString(body.Take(random.Next(20)).ToArray()));
                return http.GetAsync(random.Next(2) == 0 ? $"v1/machines?state={query}&site={query}" : $"v1/jobs?status={query}&limit={random.Next(-5, 20_000)}");
            default:
                var wrong = new HttpRequestMessage(random.Next(2) == 0 ? HttpMethod.Put : HttpMethod.Get, random.Next(2) == 0 ? "v1/recon" : "v1/completions") { Content = new ByteArrayContent(body) };
                wrong.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                return http.SendAsync(wrong);
        }
    }

    /// <summary>A completion body: a valid one, one with a hostile message or a field twice, or the recon bytes as they are.</summary>
    private static byte[] Completion(byte[] body, Random random) => random.Next(4) switch
    {
        0 => """{"succeeded": true}"""u8.ToArray(),
        1 => [.. "{\"succeeded\": false, \"error\": \""u8, .. body.Where(b => b is not ((byte)'"' or (byte)'\\')).Take(200), .. "\"}"u8],
        2 => """{"succeeded": true, "succeeded": false, "error": "x"}"""u8.ToArray(),
        _ => body,
    };

    private static async Task<int> CountAsync(StateDatabase database) =>
        (await database.Inventory.ListMachinesAsync(null, CancellationToken.None)).Length;

    [GeneratedRegex(@"^request:\d+:\d+: error: ")]
    private static partial Regex Located();
}
