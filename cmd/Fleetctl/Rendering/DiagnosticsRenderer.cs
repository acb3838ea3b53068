using System.Text.Json;
using Fleet.Engine.Diagnostics;

namespace Fleetctl.Rendering;

/// <summary>Writes diagnostics for people (<c>file:line:column: error: message</c>) or for machines (JSON).</summary>
public static class DiagnosticsRenderer
{
    private const string Red = "\u001b[31m";
    private const string Yellow = "\u001b[33m";
    private const string Reset = "\u001b[0m";

    public static async Task WriteTextAsync(TextWriter writer, IEnumerable<Diagnostic> diagnostics, bool color)
    {
        foreach (var diagnostic in diagnostics)
        {
            // Messages quote input (recon fields, YAML values, server errors): never raw to the terminal.
            var line = TerminalText.Clean(diagnostic.ToString());
            if (color)
            {
                var severity = diagnostic.IsError ? "error:" : "warning:";
                var paint = diagnostic.IsError ? Red : Yellow;
                var at = line.IndexOf(severity, StringComparison.Ordinal);
                line = line[..at] + paint + severity + Reset + line[(at + severity.Length)..];
            }

            await writer.WriteLineAsync(line);
        }
    }

    /// <summary>
    /// <c>{"valid": bool, "errors": n, "warnings": n, "diagnostics": [{severity, file, line, column, message}]}</c>;
    /// a diagnostic without a file has file null and line/column 0.
    /// </summary>
    public static async Task WriteJsonAsync(TextWriter writer, IReadOnlyCollection<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteBoolean("valid", !diagnostics.Any(d => d.IsError));
            json.WriteNumber("errors", diagnostics.Count(d => d.IsError));
            json.WriteNumber("warnings", diagnostics.Count(d => !d.IsError));
            json.WriteStartArray("diagnostics");
            foreach (var diagnostic in diagnostics)
            {
                json.WriteStartObject();
                json.WriteString("severity", diagnostic.IsError ? "error" : "warning");
                if (diagnostic.Location.IsNone)
                {
                    json.WriteNull("file");
                }
                else
                {
                    json.WriteString("file", diagnostic.Location.File);
                }

                json.WriteNumber("line", diagnostic.Location.Line);
                json.WriteNumber("column", diagnostic.Location.Column);
                json.WriteString("message", diagnostic.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await writer.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()).AsMemory(), cancellationToken);
    }
}
