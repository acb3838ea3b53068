using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Fleet.Engine.Inventory;
using Fleet.Providers.Physical.Power.Ipmi;
using Fleet.Tests.Shared;

namespace Fleet.Providers.Physical.Tests.Power.Ipmi;

/// <summary>
/// Lost packets, for real: a UDP relay between the driver and an ipmi_sim BMC loses the first send
/// of every request inside the session. The driver must resend each after its timeout with a new
/// session sequence number (the BMC rejects a number it has seen), and the BMC must accept them.
/// </summary>
public sealed class IpmiRetransmitTests(BmcFixture fixture) : IClassFixture<BmcFixture>
{
    [Fact]
    public async Task Every_request_lost_once_is_resent_with_a_new_session_sequence_number_and_succeeds()
    {
        var bmc = fixture.Bmcs[2];
        bmc.Reset(poweredOn: false);
        await using var relay = LossyRelay.Start(bmc.Port);
        var driver = new IpmiPowerDriver(new IpmiCredentials(SimulatedBmc.User, SimulatedBmc.Password), new IpmiOptions(TimeSpan.FromMilliseconds(300), 3), TimeProvider.System);
        var machine = new Machine("S0", "compute", "lon", null, new BmcEndpoint("127.0.0.1", relay.Port), ImmutableArray<NetworkInterface>.Empty, MachineState.Available,
            null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 1);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await driver.PowerOnAsync(machine, timeout.Token);

        Assert.Equal(["power 1"], bmc.Events);
        var sent = relay.SessionSequences;
        // Set Session Privilege Level, Chassis Control and Close Session: each lost once, then resent.
        Assert.True(sent.Count >= 5, string.Join(", ", sent));
        Assert.Equal(sent.Distinct().Count(), sent.Count);
        Assert.Equal([.. sent.Order()], sent);
    }

    /// <summary>Relays UDP between one client and the BMC, dropping every other signed (in-session) packet the client sends.</summary>
    private sealed class LossyRelay : IAsyncDisposable
    {
        private readonly UdpClient front = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly UdpClient back = new(new IPEndPoint(IPAddress.Loopback, 0));
        private readonly CancellationTokenSource stop = new();
        private readonly List<uint> sequences = [];
        private Task running = Task.CompletedTask;
        private IPEndPoint? client;

        public int Port => ((IPEndPoint)front.Client.LocalEndPoint!).Port;

        /// <summary>The session sequence numbers of the in-session packets the client sent, lost ones included, in order.</summary>
        public IReadOnlyList<uint> SessionSequences
        {
            get
            {
                lock (sequences)
                {
                    return [.. sequences];
                }
            }
        }

        public static LossyRelay Start(int bmcPort)
        {
            var relay = new LossyRelay();
            relay.back.Connect(IPAddress.Loopback, bmcPort);
            relay.running = Task.WhenAll(relay.ForwardAsync(), relay.BackwardAsync());
            return relay;
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
            }

            front.Dispose();
            back.Dispose();
            stop.Dispose();
        }

        private async Task ForwardAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await front.ReceiveAsync(stop.Token);
                client = received.RemoteEndPoint;
                var packet = received.Buffer;
                if (packet.Length > 14 && packet[4] == 0x06 && (packet[5] & 0x40) != 0)
                {
                    bool lose;
                    lock (sequences)
                    {
                        sequences.Add(BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(10)));
                        lose = sequences.Count % 2 == 1;
                    }

                    if (lose)
                    {
                        continue;
                    }
                }

                await back.SendAsync(packet, stop.Token);
            }
        }

        private async Task BackwardAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var received = await back.ReceiveAsync(stop.Token);
                if (client is not null)
                {
                    await front.SendAsync(received.Buffer, client, stop.Token);
                }
            }
        }
    }
}
