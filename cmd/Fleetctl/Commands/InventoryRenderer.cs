using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Fleet.Engine.Inventory;
using Fleetctl.Rendering;

namespace Fleetctl.Commands;

/// <summary>
/// Machines and their history as JSON (camelCase, states spelled as in the database) or as aligned
/// text. JSON is streamed in chunks so listing 100,000 machines never builds one huge string.
/// </summary>
public static class InventoryRenderer
{
    private const int FlushEvery = 512;

    public static Task WriteJsonAsync(TextWriter output, IReadOnlyList<Machine> machines, bool array, CancellationToken cancellationToken) =>
        WriteJsonAsync(output, machines.ToAsyncEnumerable(), array, cancellationToken);

    /// <summary>Writes machines as they come, so a list streamed from the store is never held whole.</summary>
    public static async Task WriteJsonAsync(TextWriter output, IAsyncEnumerable<Machine> machines, bool array, CancellationToken cancellationToken)
    {
        var chunks = new JsonChunks(output);
        using var json = new Utf8JsonWriter(chunks.Buffer, new JsonWriterOptions { Indented = !array, SkipValidation = true });
        if (array)
        {
            json.WriteStartArray();
        }

        var count = 0;
        await foreach (var machine in machines.WithCancellation(cancellationToken))
        {
            WriteMachine(json, machine);
            if (++count % FlushEvery == 0)
            {
                await chunks.FlushAsync(json, cancellationToken);
            }
        }

        if (array)
        {
            json.WriteEndArray();
        }

        await chunks.FlushAsync(json, cancellationToken);
        await output.WriteLineAsync();
    }

    public static void WriteMachine(Utf8JsonWriter json, Machine machine)
    {
        json.WriteStartObject();
        json.WriteString("hardwareName"u8, machine.HardwareName);
        json.WriteString("hardwareType"u8, machine.HardwareType);
        json.WriteString("site"u8, machine.Site);
        WriteNullable(json, "rack"u8, machine.Rack);
        json.WriteString("state"u8, machine.State.ToWire());
        WriteNullable(json, "hostname"u8, machine.Hostname);
        WriteNullable(json, "role"u8, machine.Role);
        WriteNullable(json, "pool"u8, machine.Pool);
        WriteNullable(json, "image"u8, machine.Image);
        if (machine.Bmc is { } bmc)
        {
            json.WriteStartObject("bmc"u8);
            json.WriteString("address"u8, bmc.Address);
            if (bmc.Port is { } port)
            {
                json.WriteNumber("port"u8, port);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("bmc"u8);
        }

        json.WriteStartArray("interfaces"u8);
        foreach (var nic in machine.Interfaces)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, nic.Name);
            json.WriteString("mac"u8, nic.Mac);
            WriteNullable(json, "ip"u8, nic.Ip);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("createdAt"u8, machine.CreatedAt);
        json.WriteString("updatedAt"u8, machine.UpdatedAt);
        json.WriteNumber("version"u8, machine.Version);
        json.WriteEndObject();
    }

    public static async Task WriteTableAsync(TextWriter output, IReadOnlyList<Machine> machines)
    {
        string[] header = ["HARDWARE NAME", "TYPE", "SITE", "RACK", "STATE", "HOSTNAME", "POOL"];
        var rows = machines.Select(m => new[] { m.HardwareName, m.HardwareType, m.Site, m.Rack ?? "-", m.State.ToWire(), m.Hostname ?? "-", m.Pool ?? "-" });
        await WriteAlignedAsync(output, header, rows);
    }

    public static async Task WriteDetailAsync(TextWriter output, Machine machine)
    {
        var text = new StringBuilder();
        void Line(string label, string? value) => text.Append(CultureInfo.InvariantCulture, $"{label,-14}{TerminalText.Clean(value, "-")}\n");
        Line("hardwareName", machine.HardwareName);
        Line("hardwareType", machine.HardwareType);
        Line("site", machine.Site);
        Line("rack", machine.Rack);
        Line("state", machine.State.ToWire());
        Line("hostname", machine.Hostname);
        Line("role", machine.Role);
        Line("pool", machine.Pool);
        Line("image", machine.Image);
        Line("bmc", machine.Bmc is { } bmc ? bmc.Port is { } port ? $"{bmc.Address}:{port}" : bmc.Address : null);
        foreach (var nic in machine.Interfaces)
        {
            Line("interface", $"{nic.Name} {nic.Mac}{(nic.Ip is null ? string.Empty : " " + nic.Ip)}");
        }

        Line("createdAt", Time(machine.CreatedAt));
        Line("updatedAt", Time(machine.UpdatedAt));
        Line("version", machine.Version.ToString(CultureInfo.InvariantCulture));
        await output.WriteAsync(text.ToString());
    }

    public static async Task WriteHistoryJsonAsync(TextWriter output, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteNumber("id"u8, entry.Id);
                json.WriteString("at"u8, entry.At);
                json.WriteString("actor"u8, entry.Actor);
                json.WriteString("action"u8, entry.Action.ToWire());
                WriteNullable(json, "from"u8, entry.From?.ToWire());
                WriteNullable(json, "to"u8, entry.To?.ToWire());
                WriteNullable(json, "reason"u8, entry.Reason);
                WriteNullable(json, "jobId"u8, entry.JobId);
                WriteNullable(json, "commit"u8, entry.Commit);
                WriteNullable(json, "detail"u8, entry.Detail);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.WrittenSpan).AsMemory(), cancellationToken);
    }

    public static async Task WriteHistoryTableAsync(TextWriter output, IReadOnlyList<AuditEntry> entries)
    {
        string[] header = ["TIME", "ACTOR", "CHANGE", "REASON", "JOB", "COMMIT", "DETAIL"];
        var rows = entries.Select(e => new[]
        {
            Time(e.At),
            e.Actor,
            e.Action == AuditAction.Transition ? $"{e.From?.ToWire()} → {e.To?.ToWire()}" : e.Action == AuditAction.Ingest ? "ingested" : "facts updated",
            e.Reason ?? "-",
            e.JobId ?? "-",
            e.Commit is { Length: > 12 } commit ? commit[..12] : e.Commit ?? "-",
            e.Detail ?? "-",
        });
        await WriteAlignedAsync(output, header, rows);
    }

    private static async Task WriteAlignedAsync(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        // Racks, serials and BMC addresses come from recon reports: never raw to the terminal.
        var all = rows.Prepend(header).Select(row => Array.ConvertAll(row, TerminalText.Clean)).ToList();
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(row[i]);
                if (i < row.Length - 1)
                {
                    text.Append(' ', widths[i] - row[i].Length + 2);
                }
            }

            text.Append('\n');
        }

        await output.WriteAsync(text.ToString());
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static void WriteNullable(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>
    /// UTF-8 chunks handed to a <see cref="TextWriter"/> through one reused char buffer: a string per
    /// chunk would land on the large-object heap and cost a full collection every few chunks.
    /// </summary>
    private sealed class JsonChunks(TextWriter output)
    {
        private char[] chars = [];

        public ArrayBufferWriter<byte> Buffer { get; } = new(256 * 1024);

        public async Task FlushAsync(Utf8JsonWriter json, CancellationToken cancellationToken)
        {
            json.Flush();
            var needed = Encoding.UTF8.GetMaxCharCount(Buffer.WrittenCount);
            if (chars.Length < needed)
            {
                chars = new char[needed];
            }

            var length = Encoding.UTF8.GetChars(Buffer.WrittenSpan, chars);
            await output.WriteAsync(chars.AsMemory(0, length), cancellationToken);
            Buffer.ResetWrittenCount();
        }
    }
}
