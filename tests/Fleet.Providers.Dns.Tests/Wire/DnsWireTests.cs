using System.Text;
using Fleet.Providers.Dns.Tests.Support;
using Fleet.Providers.Dns.Wire;

namespace Fleet.Providers.Dns.Tests.Wire;

public sealed class DnsWireTests
{
    [Fact]
    public void Records_of_every_managed_type_survive_encoding_and_decoding()
    {
        string[][] records =
        [
            ["a.acme.net.", "1", "10.1.0.5"],
            ["a.acme.net.", "28", "2001:db8::10"],
            ["a.acme.net.", "5", "b.acme.net."],
            ["acme.net.", "2", "ns1.acme.net."],
            ["acme.net.", "15", "10 mail.acme.net."],
            ["_x._tcp.acme.net.", "33", "1 2 5432 a.acme.net."],
            ["acme.net.", "16", "\"v=spf1 -all\" \"say \\\"hi\\\" \\\\ there\""],
            ["5.0.1.10.in-addr.arpa.", "12", "a.acme.net."],
            ["acme.net.", "257", "0 issue \"letsencrypt.org\""],
            ["acme.net.", "6", "ns1.acme.net. hostmaster.acme.net. 2026010101 3600 600 1209600 300"],
        ];
        var message = new DnsMessage
        {
            Id = 4242,
            Opcode = DnsOpcode.Update,
            Questions = [new DnsQuestion("acme.net.", 6)],
            Authority = [.. records.Select(r => new DnsRecord(r[0], ushort.Parse(r[1], System.Globalization.CultureInfo.InvariantCulture), DnsClasses.In, 300, r[2]))],
        };

        var decoded = DnsMessage.Decode(message.Encode());

        Assert.Equal(message.Authority.Select(r => r.Data), decoded.Authority.Select(r => r.Data));
        Assert.Equal(message.Authority.Select(r => r.ToString()), decoded.Authority.Select(r => r.ToString()));
        Assert.Equal(DnsOpcode.Update, decoded.Opcode);
        Assert.Equal(4242, decoded.Id);
    }

    [Fact]
    public void Key_statements_parse_and_never_show_the_secret()
    {
        var key = TsigKey.Parse("key \"ddns-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"c2VjcmV0c2VjcmV0c2VjcmV0\";\n};\n", "FLEET_TSIG");

        Assert.Equal("ddns-key.", key.Name);
        Assert.Equal("TSIG key ddns-key (hmac-sha256)", key.ToString());
        var error = Assert.Throws<FormatException>(() => TsigKey.Parse("secret \"c2VjcmV0\"", "FLEET_TSIG"));
        Assert.DoesNotContain("c2VjcmV0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tsig_signed_multi_message_zone_transfer_from_bind_verifies()
    {
        var zone = new StringBuilder(BindServer.MinimalZone());
        for (var i = 0; i < 3000; i++)
        {
            zone.Append(System.Globalization.CultureInfo.InvariantCulture, $"host-{i:D5}-with-a-longer-name IN A 10.9.{i / 250}.{i % 250 + 1}\n");
        }

        await using var server = await BindServer.StartAsync(new BindZone("big.test", Dynamic: false, zone.ToString()));

        var served = await server.Client.TransferAsync("big.test.", server.TsigKey, Servers.Timeout());
        var wrong = await Assert.ThrowsAsync<DnsProtocolException>(() => server.Client.TransferAsync("big.test.", new TsigKey("ddns-key", "hmac-sha256", new byte[32]), Servers.Timeout()));

        Assert.Equal(3001, served!.Records.Length);
        Assert.Equal(2024010101u, served.Serial);
        Assert.Contains("BADSIG", wrong.Message, StringComparison.Ordinal);
        Assert.Null(await server.Client.TransferAsync("absent.test.", null, Servers.Timeout()));
    }
}
