namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>A command for the BMC: network function, command number and request data.</summary>
internal sealed record IpmiRequest(byte NetFn, byte Command, byte[] Data)
{
    public const byte NetFnChassis = 0x00;
    public const byte NetFnApp = 0x06;
}

/// <summary>The BMC's answer to an <see cref="IpmiRequest"/>: its completion code and response data.</summary>
internal sealed record IpmiResponse(byte NetFn, byte Command, byte Sequence, byte CompletionCode, byte[] Data);

/// <summary>
/// The IPMI message inside a LAN packet (IPMI v2.0 section 13.8): responder and requester addresses,
/// network function, the requester's sequence number (rqSeq, six bits) and two checksums. The remote
/// console is software ID 0x81, the BMC is 0x20, both on LUN 0.
/// </summary>
internal static class IpmiMessage
{
    public const byte BmcAddress = 0x20;
    public const byte ConsoleAddress = 0x81;

    public static byte[] EncodeRequest(IpmiRequest request, byte sequence)
    {
        var message = new byte[7 + request.Data.Length];
        message[0] = BmcAddress;
        message[1] = (byte)(request.NetFn << 2);
        message[2] = Checksum(message.AsSpan(0, 2));
        message[3] = ConsoleAddress;
        message[4] = (byte)((sequence & 0x3F) << 2);
        message[5] = request.Command;
        request.Data.CopyTo(message, 6);
        message[^1] = Checksum(message.AsSpan(3, message.Length - 4));
        return message;
    }

    /// <summary>A response message; null when it is malformed or its checksums are wrong.</summary>
    public static IpmiResponse? DecodeResponse(ReadOnlySpan<byte> message)
    {
        if (message.Length < 8 || message[0] != ConsoleAddress || message[3] != BmcAddress
            || Checksum(message[..2]) != message[2] || Checksum(message[3..^1]) != message[^1])
        {
            return null;
        }

        return new IpmiResponse((byte)(message[1] >> 2), message[5], (byte)(message[4] >> 2), message[6], message[7..^1].ToArray());
    }

    /// <summary>Whether <paramref name="response"/> answers <paramref name="request"/> sent with rqSeq <paramref name="sequence"/>.</summary>
    public static bool Answers(this IpmiResponse response, IpmiRequest request, byte sequence) =>
        response.NetFn == (request.NetFn | 1) && response.Command == request.Command && response.Sequence == (sequence & 0x3F);

    /// <summary>The two's complement checksum: the covered bytes plus the checksum sum to zero.</summary>
    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        var sum = 0;
        foreach (var b in bytes)
        {
            sum += b;
        }

        return (byte)(-sum & 0xFF);
    }
}
