using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using Fleet.Providers.Dns.Zones;

namespace Fleet.Providers.Dns.Wire;

/// <summary>What a server serves for a zone, read by AXFR: its SOA serial and every record fleetctl manages.</summary>
public sealed record ServedZone(string Name, uint Serial, string Soa, ImmutableArray<ZoneRecord> Records);

/// <summary>
/// A DNS client over TCP (RFC 7766): SOA queries, AXFR (RFC 5936) and UPDATE (RFC 2136), all signed
/// with TSIG when a key is given. Only record types fleetctl manages are returned from a transfer, so
/// DNSSEC or hand-managed types are never seen as records to delete.
/// </summary>
public sealed class DnsClient(string host, int port, TimeProvider clock, TimeSpan timeout)
{
    public const int MaxMessageSize = 65535;

    public string Server => $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>host</c>, <c>host:port</c> or <c>[v6]:port</c>.</summary>
    public static DnsClient Parse(string address, int defaultPort, TimeProvider clock, TimeSpan timeout)
    {
        var (host, port) = ParseAddress(address, defaultPort);
        return new DnsClient(host, port, clock, timeout);
    }

    public static (string Host, int Port) ParseAddress(string address, int defaultPort)
    {
        var text = address.Trim();
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            var rest = text[(close + 1)..];
            return (text[1..close], rest.StartsWith(':') ? ParsePort(rest[1..], address) : defaultPort);
        }

        var colon = text.LastIndexOf(':');
        return colon > 0 && text.IndexOf(':', StringComparison.Ordinal) == colon
            ? (text[..colon], ParsePort(text[(colon + 1)..], address))
            : (text, defaultPort);
    }

    /// <summary>The zone's SOA serial as the server serves it, or null when it does not serve the zone.</summary>
    public async Task<uint?> GetSerialAsync(string zone, TsigKey? key, CancellationToken cancellationToken)
    {
        var request = NewMessage() with { Questions = [new DnsQuestion(zone, RecordTypes.Code(RecordTypes.Soa))] };
        var response = (await ExchangeAsync(request, key, single: true, cancellationToken)).Single();
        if (response.Rcode != DnsRcode.NoError || !response.Authoritative)
        {
            return null;
        }

        var soa = response.Answers.FirstOrDefault(r => r.Type == RecordTypes.Code(RecordTypes.Soa));
        return soa is null ? null : SerialOf(soa.Data);
    }

    /// <summary>The zone as served, by AXFR; null when the server does not serve it (NOTAUTH, REFUSED for a zone it lacks).</summary>
    public async Task<ServedZone?> TransferAsync(string zone, TsigKey? key, CancellationToken cancellationToken)
    {
        var request = NewMessage() with { Questions = [new DnsQuestion(zone, 252)] };
        var messages = await ExchangeAsync(request, key, single: false, cancellationToken);
        var first = messages[0];
        if (first.Rcode is DnsRcode.NotAuth or DnsRcode.NxDomain || (first.Rcode == DnsRcode.Refused && await GetSerialAsync(zone, null, cancellationToken) is null))
        {
            return null;
        }

        Check(first, $"zone transfer of {zone}");
        var soaType = RecordTypes.Code(RecordTypes.Soa);
        var all = messages.SelectMany(m => m.Answers).ToList();
        var soa = all[0];
        var records = all.Skip(1).Take(all.Count - 2)
            .Where(r => r.Class == DnsClasses.In && RecordTypes.IsSupported(RecordTypes.FromCode(r.Type)))
            .Select(r => new ZoneRecord(r.Name, RecordTypes.FromCode(r.Type), (int)r.Ttl, r.Data))
            .ToList();
        ZoneRecord.Sort(records);
        return new ServedZone(zone, SerialOf(soa.Data), soa.Data, [.. records]);
    }

    /// <summary>Sends one UPDATE and throws a <see cref="DnsProtocolException"/> naming the server's answer when it is not NOERROR.</summary>
    public async Task UpdateAsync(DnsMessage update, TsigKey? key, CancellationToken cancellationToken)
    {
        var response = (await ExchangeAsync(update, key, single: true, cancellationToken)).Single();
        Check(response, $"update of {update.Questions[0].Name}");
    }

    public static DnsMessage NewMessage() => new() { Id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1) };

    private static uint SerialOf(string soaData) => uint.Parse(soaData.Split(' ')[2], CultureInfo.InvariantCulture);

    private static void Check(DnsMessage response, string what)
    {
        if (response.Rcode != DnsRcode.NoError)
        {
            var name = response.Rcode.ToString().ToUpperInvariant();
            var hint = response.Rcode switch
            {
                DnsRcode.NotAuth => " (the server does not accept this key, or is not authoritative for the zone)",
                DnsRcode.Refused => " (the server's allow-update / allow-transfer does not permit it)",
                DnsRcode.NxRrset => " (the zone changed on the server since it was read; run again)",
                _ => string.Empty,
            };
            throw new DnsProtocolException($"{what}: the server answered {name}{hint}", response.Rcode);
        }
    }

    private static int ParsePort(string text, string address) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new FormatException($"'{address}' is not host:port");

    private async Task<List<DnsMessage>> ExchangeAsync(DnsMessage request, TsigKey? key, bool single, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var token = deadline.Token;
        var signer = key is null ? null : new TsigSigner(key, clock);
        var bytes = signer?.Sign(request) ?? request.Encode();
        if (bytes.Length > MaxMessageSize)
        {
            throw new DnsProtocolException($"DNS message of {bytes.Length} bytes is larger than {MaxMessageSize}");
        }

        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(host, port, token);
            await using var stream = tcp.GetStream();
            var frame = new byte[bytes.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)bytes.Length);
            bytes.CopyTo(frame, 2);
            await stream.WriteAsync(frame, token);

            var responses = new List<DnsMessage>();
            var soaCount = 0;
            while (true)
            {
                var raw = await ReadFrameAsync(stream, token);
                var response = DnsMessage.Decode(raw);
                if (response.Id != request.Id)
                {
                    throw new DnsProtocolException("the server answered a different query id");
                }

                var errorAnswer = response.Rcode != DnsRcode.NoError;
                soaCount += response.Answers.Count(a => a.Type == RecordTypes.Code(RecordTypes.Soa));
                var last = single || errorAnswer || soaCount >= 2;
                if (signer is not null && !(errorAnswer && response.Tsig is null))
                {
                    signer.Verify(raw, response, first: responses.Count == 0, last);
                }

                responses.Add(response);
                if (last)
                {
                    return responses;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DnsProtocolException($"no answer from {Server} within {timeout.TotalSeconds:0} s");
        }
        catch (SocketException e)
        {
            throw new DnsProtocolException($"cannot reach the DNS server {Server}: {e.Message}");
        }
        catch (IOException e)
        {
            throw new DnsProtocolException($"connection to {Server} failed: {e.Message}");
        }
    }

    private static async Task<byte[]> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(message, cancellationToken);
        return message;
    }
}
