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

    /// <summary>Builds a machine from the columns of <see cref="Columns"/>, whichever way the row is read.</summary>
    public static Machine Read<TRow>(ref TRow row)
        where TRow : struct, IMachineRow, allows ref struct => new(
        HardwareName: row.Text(0),
        HardwareType: row.Shared(1)!,
        Site: row.Shared(2)!,
        Rack: row.Shared(3),
        Bmc: row.IsNull(4) ? null : new BmcEndpoint(row.Text(4), row.IsNull(5) ? null : (int)row.Int64(5)),
        Interfaces: row.Interfaces(6),
        State: ParseState(row.Shared(7)!),
        Hostname: row.IsNull(8) ? null : row.Text(8),
        Role: row.Shared(9),
        Pool: row.Shared(10),
        Image: row.Shared(11),
        CreatedAt: row.Time(12),
        UpdatedAt: row.Time(13),
        Version: row.Int64(14));

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
            return DecodeInterfaces(rented.AsSpan(0, Encoding.UTF8.GetBytes(json, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static ImmutableArray<NetworkInterface> DecodeInterfaces(ReadOnlySpan<byte> json)
    {
        if (json.Length <= 2)
        {
            return [];
        }

        var reader = new Utf8JsonReader(json);
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

/// <summary>The columns of one <c>machines</c> row by ordinal, as ADO.NET or a backend's own reader provides them.</summary>
internal interface IMachineRow
{
    bool IsNull(int ordinal);

    /// <summary>A value unique to the row (serial, hostname, address).</summary>
    string Text(int ordinal);

    /// <summary>A value many rows share (site, type, state, role, pool): readers may return one cached instance; null when NULL.</summary>
    string? Shared(int ordinal);

    long Int64(int ordinal);

    DateTimeOffset Time(int ordinal);

    ImmutableArray<NetworkInterface> Interfaces(int ordinal);
}

/// <summary>A row of an ADO.NET reader.</summary>
internal readonly struct DbMachineRow(DbDataReader reader, StateBackend backend, SharedStrings shared) : IMachineRow
{
    public bool IsNull(int ordinal) => reader.IsDBNull(ordinal);

    public string Text(int ordinal) => reader.GetString(ordinal);

    public string? Shared(int ordinal) => reader.IsDBNull(ordinal) ? null : shared.Get(reader.GetString(ordinal));

    public long Int64(int ordinal) => reader.GetInt64(ordinal);

    public DateTimeOffset Time(int ordinal) => backend.ReadTime(reader, ordinal);

    public ImmutableArray<NetworkInterface> Interfaces(int ordinal) => MachineRows.DecodeInterfaces(reader.GetString(ordinal));
}
