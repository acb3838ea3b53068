using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Fleetctl.Logging;

/// <summary>The fields of a log line that name what it is about; null fields are left out.</summary>
internal sealed record LogIds(string? Apply = null, long? Job = null, string? Machine = null, string? Pool = null);

/// <summary>
/// The log of a long-running command (<c>serve</c>, <c>worker</c>, <c>reconcile</c>). Plain text is
/// the message as before; <c>--log-format json</c> writes one JSON object per line with the time,
/// level, message and the ids (<c>apply</c>, <c>job</c>, <c>machine</c>, <c>pool</c>) as fields of
/// their own, for log collectors. Lines are written whole under a lock, so concurrent jobs never
/// interleave.
/// </summary>
internal sealed class EventLog(TextWriter output, bool json, TimeProvider clock)
{
    public const string Text = "text";
    public const string Json = "json";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock gate = new();

    public bool IsJson => json;

    public static Option<string> Option()
    {
        var option = new Option<string>("--log-format")
        {
            Description = "Log lines as plain text (default) or as one JSON object per line (json).",
            DefaultValueFactory = _ => Text,
        };
        option.AcceptOnlyFromAmong(Text, Json);
        return option;
    }

    public static EventLog For(ParseResult parse, Option<string> option, CliHost host) =>
        new(host.Out, parse.GetValue(option) == Json, host.Clock);

    public void Info(string message, LogIds? ids = null, IReadOnlyDictionary<string, string?>? fields = null) => Write("info", message, ids, fields);

    public void Warn(string message, LogIds? ids = null, IReadOnlyDictionary<string, string?>? fields = null) => Write("warn", message, ids, fields);

    public void Error(string message, LogIds? ids = null, IReadOnlyDictionary<string, string?>? fields = null) => Write("error", message, ids, fields);

    private void Write(string level, string message, LogIds? ids, IReadOnlyDictionary<string, string?>? fields)
    {
        var line = json ? JsonLine(level, message, ids, fields) : message;
        lock (gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private string JsonLine(string level, string message, LogIds? ids, IReadOnlyDictionary<string, string?>? fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("time", clock.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("level", level);
            writer.WriteString("msg", message);
            if (ids?.Apply is { } apply)
            {
                writer.WriteString("apply", apply);
            }

            if (ids?.Job is { } job)
            {
                writer.WriteNumber("job", job);
            }

            if (ids?.Machine is { } machine)
            {
                writer.WriteString("machine", machine);
            }

            if (ids?.Pool is { } pool)
            {
                writer.WriteString("pool", pool);
            }

            foreach (var (name, value) in fields ?? new Dictionary<string, string?>())
            {
                if (value is not null)
                {
                    writer.WriteString(name, value);
                }
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
