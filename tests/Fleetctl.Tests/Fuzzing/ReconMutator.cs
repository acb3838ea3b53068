using System.Text;
using System.Text.Json.Nodes;

namespace Fleetctl.Tests.Fuzzing;

/// <summary>
/// Seeded recon bodies for the fuzzers: a valid record of the quickstart fleet, then one to three
/// mutations from what the hardening review found hostile (control characters, leading-zero and hex
/// IPs, invalid UTF-8, repeated or missing fields, wrong types, addresses other machines own,
/// truncation, random bytes). The same seed always gives the same bodies.
/// </summary>
internal sealed class ReconMutator(int seed)
{
    /// <summary>Addresses of machines the quickstart inventory has, so some records conflict.</summary>
    private static readonly string[] Hostile =
    [
        "\u001b]0;pwned\u0007\u001b[2J", "r01\n", "\r", "\u009b31m", "\0", "", " ", "é", new string('x', 5000),
        "10.050.0.011", "0x0a.1.1.1", "10.1", "10.1.1.256", "::ffff:010.1.1.1", "fe80::1%eth0", "2001:db8::1",
        "3c:ec:ef:96:35:d0", "3c:ec:ef:96:35:d0\n", "3C-EC-EF-96-35-D0", "SM64CFUWQ", "10.1.250.10", "10.1.1.10", "BMC.lon.", "-x", "lon", "compute",
    ];

    private static readonly string[] Fields = ["hardwareName", "hardwareType", "site", "rack", "bmc", "interfaces"];

    private readonly Random random = new(seed);
    private int serial;

    public byte[] Next()
    {
        var record = Valid();
        var text = record.ToJsonString();
        for (var mutations = random.Next(1, 4); mutations > 0; mutations--)
        {
            text = random.Next(10) switch
            {
                0 or 1 or 2 => SetString(record, Hostile[random.Next(Hostile.Length)]),
                3 => SetNode(record, Pick<JsonNode?>([JsonValue.Create(42), JsonValue.Create(-1e300), new JsonArray(1, 2), new JsonObject(), null, JsonValue.Create(true)])),
                4 => Remove(record),
                5 => text.Insert(1, $"\"{Pick(Fields)}\":\"{Pick(Hostile).Replace("\\", "", StringComparison.Ordinal).Replace("\"", "", StringComparison.Ordinal)}\","), // a field twice
                6 => text.Insert(1, "\"colour\":\"red\","),
                7 => random.Next(2) == 0 ? $"[{text},{text}]" : $"{text}\n{text}",
                _ => text,
            };
        }

        var bytes = Encoding.UTF8.GetBytes(text).ToList();
        switch (random.Next(8))
        {
            case 0:
                bytes.InsertRange(random.Next(bytes.Count), [0xC3, 0x28]); // invalid UTF-8
                break;
            case 1:
                bytes = bytes.Take(random.Next(bytes.Count + 1)).ToList(); // truncated
                break;
            case 2:
                bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                break;
            case 3:
                bytes.Insert(random.Next(bytes.Count), (byte)"{}[],:\"\\"[random.Next(8)]);
                break;
        }

        return [.. bytes];
    }

    private JsonObject Valid()
    {
        var n = Interlocked.Increment(ref serial);
        return new JsonObject
        {
            ["hardwareName"] = $"FZ{seed:x4}{n:D5}",
            ["hardwareType"] = random.Next(2) == 0 ? "compute" : "high-io",
            ["site"] = random.Next(2) == 0 ? "lon" : "sto",
            ["rack"] = $"r{random.Next(1, 20):D2}",
            ["bmc"] = new JsonObject { ["address"] = $"10.9.{n / 250 % 250}.{(n % 250) + 1}", ["port"] = 623 },
            ["interfaces"] = new JsonArray(new JsonObject
            {
                ["name"] = "eth0",
                ["mac"] = $"02:{seed & 0xff:x2}:{(seed >> 8) & 0xff:x2}:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}",
                ["ip"] = $"10.8.{n / 250 % 250}.{(n % 250) + 1}",
            }),
        };
    }

    /// <summary>Puts <paramref name="value"/> in a random string field (top level, BMC or interface).</summary>
    private string SetString(JsonObject record, string value)
    {
        var (target, key) = Slot(record);
        target[key] = value;
        return record.ToJsonString();
    }

    private string SetNode(JsonObject record, JsonNode? value)
    {
        var (target, key) = Slot(record);
        target[key] = value;
        return record.ToJsonString();
    }

    private string Remove(JsonObject record)
    {
        var (target, key) = Slot(record);
        target.Remove(key);
        return record.ToJsonString();
    }

    private (JsonObject Target, string Key) Slot(JsonObject record) => random.Next(6) switch
    {
        0 when record["bmc"] is JsonObject bmc => (bmc, random.Next(2) == 0 ? "address" : "port"),
        1 when record["interfaces"] is JsonArray { Count: > 0 } nics && nics[0] is JsonObject nic => (nic, Pick(["name", "mac", "ip"])),
        _ => (record, Pick(Fields)),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
