using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// An authenticated, encrypted IPMI v2.0 RMCP+ session with one BMC (cipher suite 3), at the
/// Operator privilege level, enough for chassis power and boot options. Opening it: Get Channel
/// Authentication Capabilities (does the BMC speak IPMI v2.0?), Open Session, RAKP 1–4 (the BMC
/// proves it knows the password, then we do, and both derive the session keys), Set Session
/// Privilege Level. Disposing it closes the session on the BMC. One session serves one caller
/// at a time; sessions share nothing.
/// </summary>
internal sealed class IpmiSession : IAsyncDisposable
{
    public const byte Operator = 0x03;

    private readonly IpmiChannel channel;
    private readonly SessionKeys keys;
    private readonly uint managedSessionId;
    private readonly uint consoleSessionId;
    private uint sequence;
    private uint lastInbound;
    private byte requestSequence;

    private IpmiSession(IpmiChannel channel, SessionKeys keys, RakpExchange exchange)
    {
        this.channel = channel;
        this.keys = keys;
        managedSessionId = exchange.ManagedSessionId;
        consoleSessionId = exchange.ConsoleSessionId;
    }

    public string Endpoint => channel.Endpoint;

    public static async Task<IpmiSession> OpenAsync(string address, int port, IpmiCredentials credentials, IpmiOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var channel = await IpmiChannel.OpenAsync(address, port, options, clock, cancellationToken);
        try
        {
            await RequireV2Async(channel, cancellationToken);
            var exchange = await AuthenticateAsync(channel, credentials, cancellationToken);
            var integrityKey = exchange.SessionIntegrityKey();
            var session = new IpmiSession(channel, SessionKeys.Derive(integrityKey), exchange);
            await session.ConfirmAsync(exchange, integrityKey, credentials, cancellationToken);
            try
            {
                await session.CommandAsync(new IpmiRequest(IpmiRequest.NetFnApp, 0x3B, [Operator]), "Set Session Privilege Level", cancellationToken);
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }

            return session;
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>Sends a command in the session and returns its response; a completion code other than 0 is an error naming <paramref name="what"/>.</summary>
    public async Task<IpmiResponse> CommandAsync(IpmiRequest request, string what, CancellationToken cancellationToken, int? attempts = null)
    {
        var rqSeq = requestSequence = (byte)((requestSequence + 1) & 0x3F);
        var response = await channel.ExchangeAsync(
            what,
            () => RmcpPacket.EncodeV2(PayloadType.Ipmi, managedSessionId, ++sequence, IpmiMessage.EncodeRequest(request, rqSeq), keys, RandomNumberGenerator.GetBytes(SessionKeys.BlockSize)),
            packet => RmcpPacket.DecodeV2(packet, keys) is { Type: PayloadType.Ipmi } payload && Fresh(payload)
                && IpmiMessage.DecodeResponse(payload.Payload) is { } decoded && decoded.Answers(request, rqSeq)
                    ? decoded
                    : null,
            cancellationToken,
            attempts);
        return response.CompletionCode == 0
            ? response
            : throw new IpmiException(Endpoint, $"the BMC at {Endpoint} refused {what}: {IpmiCodes.CompletionCode(response.CompletionCode)}");
    }

    /// <summary>
    /// Whether a signed packet is for this session and new: the BMC numbers its packets upwards too,
    /// so one numbered at or below the last accepted is a replay or a late duplicate.
    /// </summary>
    private bool Fresh(SessionPayload payload)
    {
        if (payload.SessionId != consoleSessionId || payload.Sequence <= lastInbound)
        {
            return false;
        }

        lastInbound = payload.Sequence;
        return true;
    }

    /// <summary>Close Session, sent once and not awaited for long: the BMC drops an idle session by itself anyway.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            var id = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(id, managedSessionId);
            await CommandAsync(new IpmiRequest(IpmiRequest.NetFnApp, 0x3C, id), "Close Session", CancellationToken.None, attempts: 1);
        }
        catch (IpmiException)
        {
            // Already gone, or the BMC stopped answering: nothing more to do.
        }
        finally
        {
            channel.Dispose();
        }
    }

    /// <summary>Get Channel Authentication Capabilities (IPMI v1.5 framing, before any session) for the Operator level on this channel.</summary>
    private static async Task RequireV2Async(IpmiChannel channel, CancellationToken cancellationToken)
    {
        var request = new IpmiRequest(IpmiRequest.NetFnApp, 0x38, [0x8E, Operator]); // 0x80: IPMI v2.0 data, 0x0E: this channel
        var response = await channel.ExchangeAsync(
            "Get Channel Authentication Capabilities",
            () => RmcpPacket.EncodeV15(IpmiMessage.EncodeRequest(request, 0)),
            packet => RmcpPacket.DecodeV15(packet) is { } message && IpmiMessage.DecodeResponse(message) is { } decoded && decoded.Answers(request, 0) ? decoded : null,
            cancellationToken);
        if (response.CompletionCode != 0)
        {
            throw new IpmiException(channel.Endpoint, $"the BMC at {channel.Endpoint} refused Get Channel Authentication Capabilities: {IpmiCodes.CompletionCode(response.CompletionCode)}");
        }

        // Byte 2 bit 7: extended capabilities present; byte 4 bit 1: IPMI v2.0 (RMCP+) connections supported.
        if (response.Data.Length < 4 || (response.Data[1] & 0x80) == 0 || (response.Data[3] & 0x02) == 0)
        {
            throw new IpmiException(channel.Endpoint, $"the BMC at {channel.Endpoint} does not support IPMI v2.0 (RMCP+) sessions");
        }
    }

    /// <summary>Open Session, then RAKP 1 and 2: returns the exchange once the BMC has proven it knows the password.</summary>
    private static async Task<RakpExchange> AuthenticateAsync(IpmiChannel channel, IpmiCredentials credentials, CancellationToken cancellationToken)
    {
        var endpoint = channel.Endpoint;
        var consoleSessionId = BinaryPrimitives.ReadUInt32LittleEndian(RandomNumberGenerator.GetBytes(4)) | 1; // never 0, which means "no session"
        var open = await SetupAsync(channel, "the RMCP+ Open Session Request", PayloadType.OpenSessionRequest, PayloadType.OpenSessionResponse,
            Rakp.OpenSessionRequest(0, consoleSessionId), p => Rakp.DecodeOpenSessionResponse(p), r => r.Tag == 0 && r.ConsoleSessionId == consoleSessionId, cancellationToken);
        if (open.Status != 0)
        {
            throw new IpmiException(endpoint, $"the BMC at {endpoint} refused to open a session with cipher suite 3 (RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128): {IpmiCodes.RmcpPlusStatus(open.Status)}");
        }

        if (open.Authentication != Rakp.RakpHmacSha1 || open.Integrity != Rakp.HmacSha1_96 || open.Confidentiality != Rakp.AesCbc128)
        {
            throw new IpmiException(endpoint, $"the BMC at {endpoint} answered the Open Session Request with other algorithms than cipher suite 3");
        }

        var userName = Encoding.UTF8.GetBytes(credentials.UserName);
        var consoleRandom = RandomNumberGenerator.GetBytes(Rakp.RandomLength);
        const byte role = RakpExchange.NameOnlyLookup | Operator;
        var rakp2 = await SetupAsync(channel, "RAKP message 1", PayloadType.Rakp1, PayloadType.Rakp2,
            Rakp.Rakp1(0, open.ManagedSessionId, consoleRandom, role, userName), p => Rakp.DecodeRakp2(p), r => r.Tag == 0 && r.ConsoleSessionId == consoleSessionId, cancellationToken);
        if (rakp2.Status != 0)
        {
            throw rakp2.Status is 0x0D or 0x09 or 0x0A
                ? Refused(endpoint, credentials, IpmiCodes.RmcpPlusStatus(rakp2.Status))
                : new IpmiException(endpoint, $"the BMC at {endpoint} refused RAKP message 1: {IpmiCodes.RmcpPlusStatus(rakp2.Status)}");
        }

        var exchange = new RakpExchange(consoleSessionId, open.ManagedSessionId, consoleRandom, role, userName, RakpExchange.UserKey(credentials.Password), rakp2.BmcRandom, rakp2.BmcGuid);
        if (!CryptographicOperations.FixedTimeEquals(exchange.Rakp2AuthCode(), rakp2.AuthCode))
        {
            // Tell the BMC, so it frees the half-open session at once; it does not answer an error.
            await channel.SendAsync(RmcpPacket.EncodeV2(PayloadType.Rakp3, 0, 0, Rakp.Rakp3(0, 0x0F, open.ManagedSessionId, []), null, []), cancellationToken);
            throw Refused(endpoint, credentials, "wrong password: its RAKP 2 key exchange code does not match");
        }

        return exchange;
    }

    /// <summary>RAKP 3 and 4: proves we know the password, and checks the BMC derived the same session key.</summary>
    private async Task ConfirmAsync(RakpExchange exchange, byte[] integrityKey, IpmiCredentials credentials, CancellationToken cancellationToken)
    {
        var rakp4 = await SetupAsync(channel, "RAKP message 3", PayloadType.Rakp3, PayloadType.Rakp4,
            Rakp.Rakp3(0, 0, exchange.ManagedSessionId, exchange.Rakp3AuthCode()), p => Rakp.DecodeRakp4(p), r => r.Tag == 0 && r.ConsoleSessionId == exchange.ConsoleSessionId, cancellationToken);
        if (rakp4.Status != 0)
        {
            throw rakp4.Status is 0x0F or 0x0D
                ? Refused(Endpoint, credentials, IpmiCodes.RmcpPlusStatus(rakp4.Status))
                : new IpmiException(Endpoint, $"the BMC at {Endpoint} refused RAKP message 3: {IpmiCodes.RmcpPlusStatus(rakp4.Status)}");
        }

        if (!CryptographicOperations.FixedTimeEquals(exchange.Rakp4IntegrityCheck(integrityKey), rakp4.IntegrityCheck))
        {
            throw new IpmiException(Endpoint, $"the BMC at {Endpoint} sent a RAKP 4 integrity check value that does not match the session key; not trusting the session");
        }
    }

    private static Task<T> SetupAsync<T>(IpmiChannel channel, string what, PayloadType send, PayloadType expect, byte[] payload, Func<byte[], T?> decode, Func<T, bool> matches, CancellationToken cancellationToken)
        where T : class =>
        channel.ExchangeAsync(
            what,
            () => RmcpPacket.EncodeV2(send, 0, 0, payload, null, []),
            packet => RmcpPacket.DecodeV2(packet, null) is { } answer && answer.Type == expect && decode(answer.Payload) is { } message && matches(message) ? message : null,
            cancellationToken);

    private static IpmiException Refused(string endpoint, IpmiCredentials credentials, string why) =>
        new(endpoint, $"the BMC at {endpoint} refused the credentials of user '{credentials.UserName}' ({why})");
}
