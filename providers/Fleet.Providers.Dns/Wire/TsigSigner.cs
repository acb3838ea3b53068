using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Fleet.Providers.Dns.Wire;

/// <summary>
/// TSIG signing and verification (RFC 8945) with HMAC-SHA256: requests are signed over the message and
/// the TSIG variables; a response's MAC also covers the request MAC; later messages of a zone transfer
/// cover the previous MAC, every message since and the timers only (§5.3.1).
/// </summary>
public sealed class TsigSigner(TsigKey key, TimeProvider clock)
{
    public const ushort TypeCode = 250;
    public const string HmacSha256 = "hmac-sha256.";
    public const ushort DefaultFudge = 300;

    private byte[]? previousMac;
    private readonly List<byte[]> unsignedSince = [];

    /// <summary>Signs a request, remembering its MAC for the response.</summary>
    public byte[] Sign(DnsMessage request)
    {
        var body = (request with { Tsig = null }).Encode();
        var time = clock.GetUtcNow().ToUnixTimeSeconds();
        var mac = Mac(null, [body], Variables(time, DefaultFudge, DnsRcode.NoError, [], timersOnly: false));
        previousMac = mac;
        unsignedSince.Clear();
        var tsig = new TsigRecord(key.Name, key.Algorithm, time, DefaultFudge, [.. mac], request.Id, DnsRcode.NoError, []);
        return (request with { Tsig = tsig }).Encode();
    }

    /// <summary>
    /// Verifies one response message. The first must be signed; in a zone transfer later ones may be
    /// unsigned as long as a signed one follows. Throws on a bad or missing signature.
    /// </summary>
    public void Verify(ReadOnlySpan<byte> bytes, DnsMessage response, bool first, bool last)
    {
        if (previousMac is null)
        {
            throw new InvalidOperationException("no signed request to verify a response against");
        }

        if (response.Tsig is not { } tsig)
        {
            if (first || last)
            {
                throw new DnsProtocolException($"the server's answer is not signed with {key}", DnsRcode.BadSig);
            }

            unsignedSince.Add(bytes.ToArray());
            return;
        }

        if (tsig.Error != DnsRcode.NoError)
        {
            throw new DnsProtocolException($"the server refused {key}: {tsig.Error.ToString().ToUpperInvariant()}", tsig.Error);
        }

        if (tsig.KeyName != key.Name || tsig.Algorithm != key.Algorithm)
        {
            throw new DnsProtocolException($"the server's answer is signed with another key ({tsig.KeyName})", DnsRcode.BadKey);
        }

        // The MAC covers the message as it was before TSIG was added: original ID, one additional record fewer.
        var body = bytes[..response.TsigOffset].ToArray();
        body[0] = (byte)(tsig.OriginalId >> 8);
        body[1] = (byte)tsig.OriginalId;
        var additional = (ushort)((body[10] << 8 | body[11]) - 1);
        body[10] = (byte)(additional >> 8);
        body[11] = (byte)additional;
        var messages = unsignedSince.Append(body).ToList();
        var expected = Mac(previousMac, messages, Variables(tsig.TimeSigned, tsig.Fudge, tsig.Error, [.. tsig.Other], timersOnly: !first));
        if (!CryptographicOperations.FixedTimeEquals(expected, tsig.Mac.AsSpan()))
        {
            throw new DnsProtocolException($"the server's answer has a bad signature for {key}", DnsRcode.BadSig);
        }

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - tsig.TimeSigned) > tsig.Fudge)
        {
            throw new DnsProtocolException("the server's answer was signed at a time outside the allowed clock skew", DnsRcode.BadTime);
        }

        previousMac = expected;
        unsignedSince.Clear();
    }

    private byte[] Mac(byte[]? prior, IEnumerable<byte[]> messages, byte[] variables)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key.Secret);
        if (prior is not null)
        {
            hmac.AppendData([(byte)(prior.Length >> 8), (byte)prior.Length]);
            hmac.AppendData(prior);
        }

        foreach (var message in messages)
        {
            hmac.AppendData(message);
        }

        hmac.AppendData(variables);
        return hmac.GetHashAndReset();
    }

    private byte[] Variables(long time, ushort fudge, DnsRcode error, ImmutableArray<byte> other, bool timersOnly)
    {
        var w = new DnsWriter();
        if (!timersOnly)
        {
            w.Name(key.Name);
            w.U16(DnsClasses.Any);
            w.U32(0);
            w.Name(key.Algorithm);
        }

        w.U48(time);
        w.U16(fudge);
        if (!timersOnly)
        {
            w.U16((ushort)error);
            w.U16((ushort)other.Length);
            w.Bytes(other.AsSpan());
        }

        return w.ToArray();
    }
}
