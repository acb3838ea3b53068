using System.Buffers;
using System.Collections.Immutable;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Fleet.Engine.Inventory;
using Fleet.State.Backends;

namespace Fleet.State.Inventory;

/// <summary>
/// The one mapping between a <see cref="Machine"/> and a row of <c>machines</c>. Reading is by
/// ordinal with no intermediate objects: a 100,000-machine plan reads every row through here.
/// Interfaces are a JSON array in one text column (one read per machine instead of a join).
/// </summary>
internal static class MachineRows
{
    public const string Columns =
        "hardware_name, hardware_type, site, rack, bmc_address, bmc_port, interfaces, state, hostname, role, pool, image, created_at, updated_at, version";

    public static Machine Read(DbDataReader reader, StateBackend backend) => new(
        HardwareName: reader.GetString(0),
        HardwareType: reader.GetString(1),
        Site: reader.GetString(2),
        Rack: NullableString(reader, 3),
        Bmc: reader.IsDBNull(4) ? null : new BmcEndpoint(reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetInt32(5)),
        Interfaces: DecodeInterfaces(reader.GetString(6)),
        State: ParseState(reader.GetString(7)),
        Hostname: NullableString(reader, 8),
        Role: NullableString(reader, 9),
        Pool: NullableString(reader, 10),
        Image: NullableString(reader, 11),
        CreatedAt: backend.ReadTime(reader, 12),
        UpdatedAt: backend.ReadTime(reader, 13),
        Version: reader.GetInt64(14));

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static MachineState ParseState(string text) =>
        MachineStates.TryParse(text, out var state) ? state : throw new InvalidDataException($"unknown machine state '{text}' in the inventory");

    public static string EncodeInterfaces(ImmutableArray<NetworkInterface> interfaces)
    {
        if (interfaces.IsDefaultOrEmpty)
        {
            return "[]";
        }

        var buffer = new ArrayBufferWriter<byte>(64 * interfaces.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var nic in interfaces)
            {
                writer.WriteStartObject();
                writer.WriteString("name"u8, nic.Name);
                writer.WriteString("mac"u8, nic.Mac);
                if (nic.Ip is not null)
                {
                    writer.WriteString("ip"u8, nic.Ip);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static ImmutableArray<NetworkInterface> DecodeInterfaces(string json)
    {
        if (json.Length <= 2)
        {
            return [];
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length));
            var builder = ImmutableArray.CreateBuilder<NetworkInterface>(2);
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                string? name = null, mac = null, ip = null;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var property = reader.ValueSpan;
                    reader.Read();
                    if (property.SequenceEqual("name"u8))
                    {
                        name = reader.GetString();
                    }
                    else if (property.SequenceEqual("mac"u8))
                    {
                        mac = reader.GetString();
                    }
                    else if (property.SequenceEqual("ip"u8))
                    {
                        ip = reader.GetString();
                    }
                }

                builder.Add(new NetworkInterface(name ?? string.Empty, mac ?? string.Empty, ip));
            }

            return builder.DrainToImmutable();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The MAC and IP rows that make each address belong to one machine.</summary>
    public static IEnumerable<AddressRow> Addresses(string hardwareName, ImmutableArray<NetworkInterface> interfaces)
    {
        foreach (var nic in interfaces)
        {
            yield return new AddressRow(AddressRow.Mac, nic.Mac, hardwareName);
            if (nic.Ip is not null)
            {
                yield return new AddressRow(AddressRow.Ip, nic.Ip, hardwareName);
            }
        }
    }
}
