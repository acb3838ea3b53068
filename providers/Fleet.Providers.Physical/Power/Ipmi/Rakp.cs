using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>The BMC's answer to the RMCP+ Open Session Request (IPMI v2.0 section 13.18).</summary>
internal sealed record OpenSessionResponse(byte Tag, byte Status, uint ConsoleSessionId, uint ManagedSessionId, byte Authentication, byte Integrity, byte Confidentiality);

/// <summary>RAKP Message 2 (section 13.21): the BMC's random number, GUID and key exchange authentication code.</summary>
internal sealed record Rakp2Message(byte Tag, byte Status, uint ConsoleSessionId, byte[] BmcRandom, byte[] BmcGuid, byte[] AuthCode);

/// <summary>RAKP Message 4 (section 13.23): the BMC's integrity check value.</summary>
internal sealed record Rakp4Message(byte Tag, byte Status, uint ConsoleSessionId, byte[] IntegrityCheck);

/// <summary>
/// The session setup messages of RMCP+ with cipher suite 3 (RAKP-HMAC-SHA1 authentication,
/// HMAC-SHA1-96 integrity, AES-CBC-128 confidentiality). Message layouts are the spec's; a decoder
/// returns null for a payload too short to be the message.
/// </summary>
internal static class Rakp
{
    public const byte RakpHmacSha1 = 0x01;
    public const byte HmacSha1_96 = 0x01;
    public const byte AesCbc128 = 0x01;
    public const int RandomLength = 16;

    public static byte[] OpenSessionRequest(byte tag, uint consoleSessionId)
    {
        var payload = new byte[32];
        payload[0] = tag;
        payload[1] = 0; // the highest privilege level the proposed algorithms allow; RAKP 1 asks for the one needed
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), consoleSessionId);
        Algorithm(payload.AsSpan(8), 0x00, RakpHmacSha1);
        Algorithm(payload.AsSpan(16), 0x01, HmacSha1_96);
        Algorithm(payload.AsSpan(24), 0x02, AesCbc128);
        return payload;
    }

    public static OpenSessionResponse? DecodeOpenSessionResponse(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            return null;
        }

        var consoleSessionId = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        return payload[1] != 0 || payload.Length < 36
            ? new OpenSessionResponse(payload[0], payload[1], consoleSessionId, 0, 0, 0, 0) // an error carries no more
            : new OpenSessionResponse(payload[0], payload[1], consoleSessionId, BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]), payload[16], payload[24], payload[32]);
    }

    public static byte[] Rakp1(byte tag, uint managedSessionId, ReadOnlySpan<byte> consoleRandom, byte role, ReadOnlySpan<byte> userName)
    {
        var payload = new byte[28 + userName.Length];
        payload[0] = tag;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), managedSessionId);
        consoleRandom.CopyTo(payload.AsSpan(8));
        payload[24] = role;
        payload[27] = (byte)userName.Length;
        userName.CopyTo(payload.AsSpan(28));
        return payload;
    }

    public static Rakp2Message? DecodeRakp2(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 8)
        {
            return null;
        }

        var consoleSessionId = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        return payload[1] != 0 || payload.Length < 40
            ? new Rakp2Message(payload[0], payload[1], consoleSessionId, [], [], [])
            : new Rakp2Message(payload[0], payload[1], consoleSessionId, payload[8..24].ToArray(), payload[24..40].ToArray(), payload[40..].ToArray());
    }

    public static byte[] Rakp3(byte tag, byte status, uint managedSessionId, ReadOnlySpan<byte> authCode)
    {
        var payload = new byte[8 + authCode.Length];
        payload[0] = tag;
        payload[1] = status;
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), managedSessionId);
        authCode.CopyTo(payload.AsSpan(8));
        return payload;
    }

    public static Rakp4Message? DecodeRakp4(ReadOnlySpan<byte> payload) =>
        payload.Length < 8 ? null : new Rakp4Message(payload[0], payload[1], BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]), payload[8..].ToArray());

    /// <summary>HMAC-SHA1, the algorithm of RAKP-HMAC-SHA1 and HMAC-SHA1-96; the protocol fixes it.</summary>
#pragma warning disable CA5350 // SHA-1 is what IPMI v2.0 cipher suite 3 specifies; the BMC speaks nothing else.
    public static byte[] Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data) => HMACSHA1.HashData(key, data);
#pragma warning restore CA5350

    private static void Algorithm(Span<byte> record, byte payloadType, byte algorithm)
    {
        record[0] = payloadType;
        record[3] = 0x08; // payload length
        record[4] = algorithm;
    }
}

/// <summary>
/// One RAKP key exchange: what both sides contributed and the codes computed from them (IPMI v2.0
/// sections 13.20–13.23, 13.31, 13.32). The user key Kuid is the password, zero-padded to 20 bytes;
/// with no BMC key (Kg) configured, Kg is Kuid. The password is held only as that key and never
/// leaves this object except through HMACs.
/// </summary>
internal sealed class RakpExchange
{
    /// <summary>Name-only lookup (bit 4): the BMC finds the user by name and grants up to the requested level.</summary>
    public const byte NameOnlyLookup = 0x10;

    private readonly byte[] userKey;

    public RakpExchange(uint consoleSessionId, uint managedSessionId, byte[] consoleRandom, byte role, byte[] userName, byte[] userKey, byte[] bmcRandom, byte[] bmcGuid)
    {
        ConsoleSessionId = consoleSessionId;
        ManagedSessionId = managedSessionId;
        ConsoleRandom = consoleRandom;
        Role = role;
        UserName = userName;
        this.userKey = userKey;
        BmcRandom = bmcRandom;
        BmcGuid = bmcGuid;
    }

    public uint ConsoleSessionId { get; }

    public uint ManagedSessionId { get; }

    public byte[] ConsoleRandom { get; }

    public byte Role { get; }

    public byte[] UserName { get; }

    public byte[] BmcRandom { get; }

    public byte[] BmcGuid { get; }

    /// <summary>Kuid: the password's bytes, zero-padded to the 20 bytes of an IPMI v2.0 password.</summary>
    public static byte[] UserKey(string password)
    {
        var key = new byte[20];
        Encoding.UTF8.GetBytes(password, key);
        return key;
    }

    /// <summary>RAKP 2's code, HMAC_Kuid(SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm): the BMC knows the password.</summary>
    public byte[] Rakp2AuthCode() => Rakp.Hmac(userKey, [.. Le(ConsoleSessionId), .. Le(ManagedSessionId), .. ConsoleRandom, .. BmcRandom, .. BmcGuid, Role, (byte)UserName.Length, .. UserName]);

    /// <summary>RAKP 3's code, HMAC_Kuid(Rc, SIDm, ROLEm, ULENGTHm, UNAMEm): we know it too.</summary>
    public byte[] Rakp3AuthCode() => Rakp.Hmac(userKey, [.. BmcRandom, .. Le(ConsoleSessionId), Role, (byte)UserName.Length, .. UserName]);

    /// <summary>SIK = HMAC_Kg(Rm, Rc, ROLEm, ULENGTHm, UNAMEm), with Kg = Kuid.</summary>
    public byte[] SessionIntegrityKey() => Rakp.Hmac(userKey, [.. ConsoleRandom, .. BmcRandom, Role, (byte)UserName.Length, .. UserName]);

    /// <summary>RAKP 4's integrity check value, HMAC_SIK(Rm, SIDc, GUIDc) cut to 12 bytes for HMAC-SHA1-96.</summary>
    public byte[] Rakp4IntegrityCheck(byte[] sessionIntegrityKey) =>
        Rakp.Hmac(sessionIntegrityKey, [.. ConsoleRandom, .. Le(ManagedSessionId), .. BmcGuid])[..SessionKeys.AuthCodeLength];

    private static byte[] Le(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }
}
