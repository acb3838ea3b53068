using System.Collections.Immutable;
using Fleet.Providers.Dns.Push;
using Fleet.Providers.Dns.Rendering;
using Fleet.Providers.Dns.Serials;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Wire;
using Fleet.Providers.Dns.Zones;
using static Fleet.Providers.Dns.Tests.Support.TestFleet;

namespace Fleet.Providers.Dns.Tests.Push;

/// <summary>
/// One zone pipeline: what <c>fleetctl zones render</c> shows (<see cref="ZonePublisher.RenderAsync"/>) is
/// what a push sends, serial included, whatever the server already serves.
/// </summary>
public sealed class ZonePublisherTests
{
    [Fact]
    public async Task Render_shows_the_serial_and_text_a_push_sends_when_the_server_serves_a_higher_serial()
    {
        var zone = ZoneGenerator.Generate(Desired([Site("lon", "lon.acme.net")]), [], ZoneTemplates.BuiltIn).ZonesOrThrow().Single(z => z.Name == "lon.acme.net.");
        var pusher = new RecordingPusher(new ServedZone(zone.Name, 2030010105, "ns1.acme.net. hostmaster.acme.net.", []));
        var clock = new FixedClock(Epoch);
        var publisher = new ZonePublisher(pusher, new MemoryStates(), new ZoneRenderer(), clock);

        var rendered = await publisher.RenderAsync(await publisher.InspectAsync(zone, CancellationToken.None), CancellationToken.None);
        var outcome = await publisher.PushAsync(zone, force: true, CancellationToken.None);

        Assert.Equal(2030010106u, rendered.Zone.Serial);
        Assert.Equal(rendered.Zone.Serial, outcome.Serial);
        Assert.Equal(rendered.Text, Assert.Single(pusher.Pushed).Text);
    }

    [Fact]
    public async Task Render_of_a_zone_that_needs_no_push_shows_the_serial_it_has()
    {
        var zone = ZoneGenerator.Generate(Desired([Site("lon", "lon.acme.net")]), [], ZoneTemplates.BuiltIn).ZonesOrThrow().Single(z => z.Name == "lon.acme.net.");
        var states = new MemoryStates();
        await states.SetAsync(new ZoneState(zone.Name, 2026010103, zone.ContentHash(), Epoch), CancellationToken.None);
        var publisher = new ZonePublisher(new RecordingPusher(null) { Readable = false }, states, new ZoneRenderer(), new FixedClock(Epoch.AddDays(3)));

        var rendered = await publisher.RenderAsync(await publisher.InspectAsync(zone, CancellationToken.None), CancellationToken.None);

        Assert.Equal(2026010103u, rendered.Zone.Serial);
        Assert.Contains("2026010103", rendered.Text, StringComparison.Ordinal);
    }

    private sealed class RecordingPusher(ServedZone? served) : IZonePusher
    {
        public List<ZonePushRequest> Pushed { get; } = [];

        public bool Readable { get; init; } = true;

        public string Method => "recording";

        public bool CanReadServed => Readable;

        public Task<ServedZone?> ReadServedAsync(string zone, CancellationToken cancellationToken) => Task.FromResult(Readable ? served : null);

        public Task<uint> PushAsync(ZonePushRequest request, CancellationToken cancellationToken)
        {
            Pushed.Add(request);
            return Task.FromResult(request.Zone.Serial);
        }
    }

    private sealed class MemoryStates : IZoneStateStore
    {
        private ImmutableDictionary<string, ZoneState> states = ImmutableDictionary<string, ZoneState>.Empty;

        public Task<ZoneState?> GetAsync(string zone, CancellationToken cancellationToken) => Task.FromResult(states.GetValueOrDefault(zone));

        public Task SetAsync(ZoneState state, CancellationToken cancellationToken)
        {
            states = states.SetItem(state.Zone, state);
            return Task.CompletedTask;
        }
    }
}
