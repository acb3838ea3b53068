using System.Buffers.Binary;
using Fleet.Providers.Physical.Power.Ipmi;

namespace Fleet.Providers.Physical.Tests.Power.Ipmi;

/// <summary>
/// The packet pieces against a real exchange: the values were captured from ipmitool 1.8.19
/// (<c>-I lanplus -C 3 -vvvv</c>) opening a session with ipmi_sim as user admin, password "password",
/// and checked there by both sides.
/// </summary>
public sealed class IpmiEncodingTests
{
    private const uint ConsoleSessionId = 0xA0A2A3A4;
    private const uint ManagedSessionId = 0x00000204;
    private static readonly byte[] ConsoleRandom = Convert.FromHexString("6440f3e019305aa47f01443d6a9dd781");
    private static readonly byte[] BmcRandom = Convert.FromHexString("1a289134916efec345fe0caa850d47d2");
    private static readonly byte[] BmcGuid = Convert.FromHexString("a123456789abcdefa123456789ab0001");
    private static readonly byte[] K1 = Convert.FromHexString("ed053695109ffcb5707f23dad8f8a2e67e2673a2");
    private static readonly byte[] K2 = Convert.FromHexString("2bdd611565e81c8cc64704d391a66ce64d4c780b");

    /// <summary>ipmitool asked for the Administrator role with name-only lookup (0x14).</summary>
    private static RakpExchange Exchange(string password = "password") =>
        new(ConsoleSessionId, ManagedSessionId, ConsoleRandom, 0x14, "admin"u8.ToArray(), RakpExchange.UserKey(password), BmcRandom, BmcGuid);

    [Fact]
    public void The_user_key_is_the_passwords_utf8_bytes_zero_padded_as_its_length_is_checked()
    {
        // IpmiCredentials allows 20 bytes of UTF-8: the key must carry those bytes, not '?' for each non-ASCII character.
        var key = RakpExchange.UserKey("pässwörd");

        Assert.Equal([.. "pässwörd"u8.ToArray(), .. new byte[10]], key);
    }

    [Fact]
    public void The_rakp_codes_and_session_keys_match_those_of_ipmitool_and_the_bmc()
    {
        var exchange = Exchange();
        var sik = exchange.SessionIntegrityKey();
        var keys = SessionKeys.Derive(sik);

        Assert.Equal("4c16332a6632581258326b21a15edfc03fc4d4ad", Convert.ToHexStringLower(exchange.Rakp2AuthCode()));
        Assert.Equal("71f1af2747f5d43aa16e4775ef28b8329afb33d1", Convert.ToHexStringLower(exchange.Rakp3AuthCode()));
        Assert.Equal("c7701f054aaf6e782324447c3105493b5bfdac5d", Convert.ToHexStringLower(sik));
        Assert.Equal(K1, keys.K1);
        Assert.Equal(K2, keys.K2);
        Assert.Equal("8469bd75d371fdf9e64a5530", Convert.ToHexStringLower(exchange.Rakp4IntegrityCheck(sik)));
    }

    [Fact]
    public void A_wrong_password_gives_another_rakp2_code()
    {
        Assert.NotEqual(Exchange().Rakp2AuthCode(), Exchange("passwore").Rakp2AuthCode());
    }

    [Fact]
    public void A_request_in_a_session_is_encrypted_padded_and_signed_byte_for_byte_as_ipmitool_does()
    {
        var message = IpmiMessage.EncodeRequest(new IpmiRequest(IpmiRequest.NetFnApp, 0x3B, [0x04]), sequence: 1);
        var packet = RmcpPacket.EncodeV2(PayloadType.Ipmi, ManagedSessionId, 3, message, new SessionKeys(K1, K2), Convert.FromHexString("05eafe3f69642ca1ec46ff74ed8f3eab"));

        Assert.Equal("2018c881043b043c", Convert.ToHexStringLower(message));
        Assert.Equal(
            "0600ff07" + "06c004020000030000002000" + "05eafe3f69642ca1ec46ff74ed8f3eab5a777bf2f156d4209a13099773f5f01dffff0207" + "ef7f5cc2e0182aa525f33f0c",
            Convert.ToHexStringLower(packet));
    }

    [Fact]
    public void A_response_of_the_bmc_is_verified_decrypted_and_decoded()
    {
        var packet = Convert.FromHexString(
            "0600ff07" + "06c0a4a3a2a00100000020002eaf14c6274e1fd166ee646d458ed9d8c933edab6ffe40fcd6200bd07e8f1db1ffff0207" + "e29a333d5276f6db19d513ee");

        var payload = RmcpPacket.DecodeV2(packet, new SessionKeys(K1, K2));
        var response = IpmiMessage.DecodeResponse(payload!.Payload);

        Assert.Equal((PayloadType.Ipmi, ConsoleSessionId, 1u), (payload.Type, payload.SessionId, payload.Sequence));
        Assert.Equal((0x07, 0x3B, 1, 0x00), (response!.NetFn, response.Command, response.Sequence, response.CompletionCode));
        Assert.Equal([0x04], response.Data);
        Assert.True(response.Answers(new IpmiRequest(IpmiRequest.NetFnApp, 0x3B, [0x04]), 1));
        Assert.False(response.Answers(new IpmiRequest(IpmiRequest.NetFnApp, 0x3B, [0x04]), 2));
    }

    [Fact]
    public void A_packet_with_a_wrong_auth_code_or_a_corrupted_payload_is_dropped()
    {
        var keys = new SessionKeys(K1, K2);
        var packet = RmcpPacket.EncodeV2(PayloadType.Ipmi, 7, 1, [0x81, 0x1C, 0x63, 0x20, 0x04, 0x3B, 0x00, 0x04, 0x9D], keys, new byte[16]);
        var forged = (byte[])packet.Clone();
        forged[^1] ^= 1;
        var corrupted = (byte[])packet.Clone();
        corrupted[30] ^= 1;

        Assert.NotNull(RmcpPacket.DecodeV2(packet, keys));
        Assert.Null(RmcpPacket.DecodeV2(forged, keys));
        Assert.Null(RmcpPacket.DecodeV2(corrupted, keys));
        Assert.Null(RmcpPacket.DecodeV2(packet, null)); // a signed packet where none is expected
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(31)]
    public void Encryption_pads_to_whole_blocks_and_decrypts_back(int length)
    {
        var keys = new SessionKeys(K1, K2);
        var payload = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

        var encrypted = keys.Encrypt(payload, new byte[16]);

        Assert.Equal(0, encrypted.Length % 16);
        Assert.Equal(payload, keys.Decrypt(encrypted));
    }

    [Fact]
    public void The_lan_message_checksums_make_their_bytes_sum_to_zero_and_a_bad_one_is_rejected()
    {
        // Get Channel Authentication Capabilities as ipmitool sends it, and the start of its answer.
        Assert.Equal("2018c8810038" + "8e04b5", Convert.ToHexStringLower(IpmiMessage.EncodeRequest(new IpmiRequest(IpmiRequest.NetFnApp, 0x38, [0x8E, 0x04]), 0)));
        byte[] response = [0x81, 0x1C, 0x63, 0x20, 0x04, 0x3B, 0x00, 0x04, 0x9D];
        Assert.NotNull(IpmiMessage.DecodeResponse(response));
        response[7] = 0x03;
        Assert.Null(IpmiMessage.DecodeResponse(response));
    }

    [Fact]
    public void Session_setup_messages_have_the_spec_layout()
    {
        var open = Rakp.OpenSessionRequest(0, ConsoleSessionId);
        var rakp1 = Rakp.Rakp1(0, ManagedSessionId, ConsoleRandom, 0x14, "admin"u8);
        var rakp3 = Rakp.Rakp3(0, 0, ManagedSessionId, Exchange().Rakp3AuthCode());

        Assert.Equal("00000000a4a3a2a0" + "0000000801000000" + "0100000801000000" + "0200000801000000", Convert.ToHexStringLower(open));
        Assert.Equal("0000000004020000" + "6440f3e019305aa47f01443d6a9dd781" + "14000005" + "61646d696e", Convert.ToHexStringLower(rakp1));
        Assert.Equal("0000000004020000" + "71f1af2747f5d43aa16e4775ef28b8329afb33d1", Convert.ToHexStringLower(rakp3));
    }

    [Fact]
    public void Session_setup_answers_are_decoded_and_an_error_status_carries_no_more()
    {
        var response = new byte[36];
        BinaryPrimitives.WriteUInt32LittleEndian(response.AsSpan(4), ConsoleSessionId);
        BinaryPrimitives.WriteUInt32LittleEndian(response.AsSpan(8), ManagedSessionId);
        response[16] = response[24] = response[32] = 1;
        byte[] rakp2 = [0, 0, 0, 0, .. BitConverter.GetBytes(ConsoleSessionId), .. BmcRandom, .. BmcGuid, .. Exchange().Rakp2AuthCode()];
        byte[] unauthorized = [0, 0x0D, 0, 0, .. BitConverter.GetBytes(ConsoleSessionId)];

        Assert.Equal(new OpenSessionResponse(0, 0, ConsoleSessionId, ManagedSessionId, 1, 1, 1), Rakp.DecodeOpenSessionResponse(response));
        var decoded = Rakp.DecodeRakp2(rakp2)!;
        Assert.Equal(BmcRandom, decoded.BmcRandom);
        Assert.Equal(BmcGuid, decoded.BmcGuid);
        Assert.Equal(Exchange().Rakp2AuthCode(), decoded.AuthCode);
        Assert.Equal(0x0D, Rakp.DecodeRakp2(unauthorized)!.Status);
        Assert.Null(Rakp.DecodeRakp2([0, 0]));
        Assert.Equal("unauthorized name (RMCP+ status 0x0D)", IpmiCodes.RmcpPlusStatus(0x0D));
        Assert.Equal("command not supported in the present state (completion code 0xD5)", IpmiCodes.CompletionCode(0xD5));
    }
}
