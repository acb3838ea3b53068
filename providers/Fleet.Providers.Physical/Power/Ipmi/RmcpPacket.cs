using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>What an RMCP+ packet carries (IPMI v2.0 table 13-16).</summary>
internal enum PayloadType : byte
{
    Ipmi = 0x00,
    OpenSessionRequest = 0x10,
    OpenSessionResponse = 0x11,
    Rakp1 = 0x12,
    Rakp2 = 0x13,
    Rakp3 = 0x14,
    Rakp4 = 0x15,
}

/// <summary>A decoded RMCP+ packet: its payload in the clear, and the session fields it came with.</summary>
internal sealed record SessionPayload(PayloadType Type, uint SessionId, uint Sequence, byte[] Payload);

/// <summary>
/// RMCP packets over UDP (IPMI v2.0 sections 13.1–13.6): the RMCP header, then either an IPMI v1.5
/// session wrapper without authentication (only for Get Channel Authentication Capabilities, before
/// any session) or an RMCP+ session wrapper. Inside an active session every packet is signed with
/// HMAC-SHA1-96 over the session header, payload and integrity trailer, and its payload is encrypted.
/// </summary>
internal static class RmcpPacket
{
    private const byte AuthTypeNone = 0x00;
    private const byte AuthTypeRmcpPlus = 0x06;
    private const byte Encrypted = 0x80;
    private const byte Authenticated = 0x40;
    private const byte NextHeader = 0x07;

    /// <summary>Version 6 (RMCP 1.0), reserved, sequence 0xFF (no RMCP ACK), class IPMI.</summary>
    private static ReadOnlySpan<byte> Header => [0x06, 0x00, 0xFF, 0x07];

    public static byte[] EncodeV15(ReadOnlySpan<byte> message)
    {
        var packet = new byte[4 + 10 + message.Length];
        Header.CopyTo(packet);
        packet[4] = AuthTypeNone; // session sequence and ID (bytes 5–12) stay zero outside a session
        packet[13] = (byte)message.Length;
        message.CopyTo(packet.AsSpan(14));
        return packet;
    }

    /// <summary>The IPMI message of an IPMI v1.5 packet without authentication; null for anything else.</summary>
    public static byte[]? DecodeV15(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 14 || !packet[..4].SequenceEqual(Header) || packet[4] != AuthTypeNone || packet.Length < 14 + packet[13])
        {
            return null;
        }

        return packet.Slice(14, packet[13]).ToArray();
    }

    /// <summary>
    /// An RMCP+ packet. Without <paramref name="keys"/> (session setup) the payload is sent in the
    /// clear; with them it is encrypted with <paramref name="iv"/> and the packet is signed.
    /// </summary>
    public static byte[] EncodeV2(PayloadType type, uint sessionId, uint sequence, ReadOnlySpan<byte> payload, SessionKeys? keys, ReadOnlySpan<byte> iv)
    {
        var body = keys is null ? payload.ToArray() : keys.Encrypt(payload, iv);
        var trailer = 0;
        if (keys is not null)
        {
            // Integrity pad (0xFF) so that the signed part, ending with pad length and next header, is a multiple of 4.
            var pad = (4 - ((12 + body.Length + 2) % 4)) % 4;
            trailer = pad + 2 + SessionKeys.AuthCodeLength;
        }

        var packet = new byte[4 + 12 + body.Length + trailer];
        Header.CopyTo(packet);
        var session = packet.AsSpan(4);
        session[0] = AuthTypeRmcpPlus;
        session[1] = (byte)((byte)type | (keys is null ? 0 : Encrypted | Authenticated));
        BinaryPrimitives.WriteUInt32LittleEndian(session[2..], sessionId);
        BinaryPrimitives.WriteUInt32LittleEndian(session[6..], sequence);
        BinaryPrimitives.WriteUInt16LittleEndian(session[10..], (ushort)body.Length);
        body.CopyTo(session[12..]);
        if (keys is not null)
        {
            var signed = session[..^SessionKeys.AuthCodeLength];
            var pad = trailer - 2 - SessionKeys.AuthCodeLength;
            signed.Slice(12 + body.Length, pad).Fill(0xFF);
            signed[^2] = (byte)pad;
            signed[^1] = NextHeader;
            keys.AuthCode(signed).CopyTo(session[^SessionKeys.AuthCodeLength..]);
        }

        return packet;
    }

    /// <summary>
    /// An RMCP+ packet in the clear; null when it is not one, or, with <paramref name="keys"/>, when
    /// it is not signed with them (a forged or corrupted packet is dropped like a lost one).
    /// </summary>
    public static SessionPayload? DecodeV2(ReadOnlySpan<byte> packet, SessionKeys? keys)
    {
        if (packet.Length < 16 || !packet[..4].SequenceEqual(Header) || packet[4] != AuthTypeRmcpPlus)
        {
            return null;
        }

        var session = packet[4..];
        var format = session[1];
        var length = BinaryPrimitives.ReadUInt16LittleEndian(session[10..]);
        var authenticated = (format & Authenticated) != 0;
        if (session.Length < 12 + length || authenticated != keys is not null)
        {
            return null;
        }

        var body = session.Slice(12, length);
        if (keys is not null)
        {
            if (session.Length < 12 + length + 2 + SessionKeys.AuthCodeLength)
            {
                return null;
            }

            var signedLength = session.Length - SessionKeys.AuthCodeLength;
            var expected = keys.AuthCode(session[..signedLength]);
            if (!CryptographicOperations.FixedTimeEquals(expected, session.Slice(signedLength, SessionKeys.AuthCodeLength)))
            {
                return null;
            }
        }

        var payload = (format & Encrypted) == 0 ? body.ToArray() : keys?.Decrypt(body);
        return payload is null
            ? null
            : new SessionPayload((PayloadType)(format & 0x3F), BinaryPrimitives.ReadUInt32LittleEndian(session[2..]), BinaryPrimitives.ReadUInt32LittleEndian(session[6..]), payload);
    }
}
