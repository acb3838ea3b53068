using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// The UDP conversation with one BMC: a request is sent and answers are read until one is accepted,
/// up to <see cref="IpmiOptions.AttemptTimeout"/>; then the request is built again and resent, up to
/// <see cref="IpmiOptions.Attempts"/> times. Building it again is what the session needs: a resent
/// request carries a new session sequence number (and a new IV) with the same rqSeq. Packets that
/// are not the answer (late duplicates, forgeries, garbage) are dropped.
/// </summary>
internal sealed class IpmiChannel : IDisposable
{
    private readonly Socket socket;
    private readonly IpmiOptions options;
    private readonly TimeProvider clock;
    private readonly byte[] buffer = new byte[2048];

    private IpmiChannel(Socket socket, string endpoint, IpmiOptions options, TimeProvider clock)
    {
        this.socket = socket;
        Endpoint = endpoint;
        this.options = options;
        this.clock = clock;
    }

    /// <summary>The BMC as <c>address:port</c>, for messages.</summary>
    public string Endpoint { get; }

    public static async Task<IpmiChannel> OpenAsync(string address, int port, IpmiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var endpoint = Describe(address, port);
        IPAddress ip;
        if (!IPAddress.TryParse(address, out var parsed))
        {
            try
            {
                var addresses = await Dns.GetHostAddressesAsync(address, cancellationToken);
                ip = addresses.Length > 0 ? addresses[0] : throw new IpmiException(endpoint, $"the BMC address {address} has no IP address");
            }
            catch (SocketException e)
            {
                throw new IpmiException(endpoint, $"cannot resolve the BMC address {address}: {e.Message}", e);
            }
        }
        else
        {
            ip = parsed;
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(ip, port), cancellationToken);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IpmiException(endpoint, $"cannot reach the BMC at {endpoint}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new IpmiChannel(socket, endpoint, options, clock);
    }

    public static string Describe(string address, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"{(address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address)}:{port}");

    /// <summary>
    /// Sends what <paramref name="build"/> makes until <paramref name="accept"/> turns an answer into
    /// a result (null: not the answer). <paramref name="attempts"/> overrides the configured count
    /// (Close Session is sent once). Cancelling <paramref name="cancellationToken"/> stops at once.
    /// </summary>
    public async Task<T> ExchangeAsync<T>(string what, Func<byte[]> build, Func<byte[], T?> accept, CancellationToken cancellationToken, int? attempts = null)
        where T : class
    {
        var count = attempts ?? options.Attempts;
        var refused = false;
        for (var attempt = 0; attempt < count; attempt++)
        {
            await SendAsync(build(), what, cancellationToken);
            using var timer = new CancellationTokenSource(options.AttemptTimeout, clock);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
            try
            {
                while (true)
                {
                    int received;
                    try
                    {
                        received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    }
                    catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                    {
                        refused = true; // ICMP port unreachable: nothing listens there, or not yet
                        continue;
                    }
                    catch (SocketException e)
                    {
                        throw Unreachable(what, e); // no route to the host, network down, …
                    }

                    if (accept(buffer[..received]) is { } result)
                    {
                        return result;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer to this attempt: send again.
            }
        }

        var seconds = (options.AttemptTimeout * count).TotalSeconds;
        throw new IpmiException(Endpoint, string.Create(CultureInfo.InvariantCulture,
            $"the BMC at {Endpoint} did not answer {what} within {seconds:0.###} s ({count} attempt{(count == 1 ? "" : "s")}{(refused ? "; nothing listens on that port" : "")})"));
    }

    private async Task SendAsync(byte[] packet, string what, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(packet, SocketFlags.None, cancellationToken);
        }
        catch (SocketException e)
        {
            throw Unreachable(what, e);
        }
    }

    private IpmiException Unreachable(string what, SocketException e) =>
        new(Endpoint, $"cannot send {what} to the BMC at {Endpoint}: {e.Message}");

    /// <summary>Sends one packet that expects no answer.</summary>
    public async Task SendAsync(byte[] packet, CancellationToken cancellationToken) =>
        await socket.SendAsync(packet, SocketFlags.None, cancellationToken);

    public void Dispose() => socket.Dispose();
}
