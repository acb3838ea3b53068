using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;
using Fleet.Engine.Diagnostics;

namespace Fleet.Engine.Planning;

/// <summary>
/// The plan file (DESIGN.md; <see cref="Plan.CurrentFormatVersion"/>): writing it, reading it back strictly, and its checksum.
/// The body is written in one fixed key order (object keys of <c>before</c>, <c>after</c>,
/// <c>parameters</c> and <c>guards</c> sorted ordinally); the checksum is the SHA-256 of the compact
/// body without the checksum, so whitespace never matters and any edited value does.
/// </summary>
public static class PlanFile
{
    private const string ChecksumPrefix = "sha256:";

    private static readonly JsonWriterOptions Compact = new() { Indented = false };
    private static readonly JsonWriterOptions Pretty = new() { Indented = true, IndentSize = 2 };

    /// <summary>
    /// Plans whose checksum was computed here, by instance, so writing a sealed plan does not hash its
    /// whole body a second time. A copy made with <c>with</c> is another instance and is hashed afresh.
    /// </summary>
    private static readonly ConditionalWeakTable<Plan, string> Sealed = [];

    /// <summary>The plan with its <see cref="Plan.Checksum"/> computed.</summary>
    public static Plan Seal(Plan plan) => Remember(plan with { Checksum = ComputeChecksum(plan) });

    /// <summary><c>sha256:</c> and the lower-case hex SHA-256 of the canonical compact body.</summary>
    public static string ComputeChecksum(Plan plan)
    {
        using var hash = new HashingBufferWriter();
        using (var writer = new Utf8JsonWriter(hash, Compact))
        {
            PlanJsonWriter.Write(writer, plan, checksum: null);
        }

        return ChecksumPrefix + Convert.ToHexStringLower(hash.Finish());
    }

    /// <summary>The plan file's bytes: indented UTF-8 JSON ending in a newline, with a freshly computed checksum.</summary>
    public static byte[] Serialize(Plan plan)
    {
        var buffer = new ArrayBufferWriter<byte>(8192 + (plan.Changes.Length * 400));
        Write(plan, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the bytes of <see cref="Serialize"/> to <paramref name="stream"/> as they are produced,
    /// through one small buffer: a plan of 100,000 changes is tens of megabytes, never held whole.
    /// </summary>
    public static void WriteTo(Plan plan, Stream stream)
    {
        Write(plan, new StreamBufferWriter(stream));
        stream.Flush();
    }

    /// <summary>Writes the plan file to <paramref name="path"/> atomically (a temporary file renamed into place).</summary>
    public static async Task WriteAsync(Plan plan, string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                WriteTo(plan, file);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new FleetException(SourceLocation.OfFile(path), $"cannot write the plan file: {e.Message}");
        }
    }

    /// <summary>Reads and verifies a plan file; every problem is a <see cref="FleetException"/> naming the file.</summary>
    /// <param name="actions">The actions of the providers this fleetctl has: a change of any other action is refused.</param>
    public static async Task<Plan> ReadAsync(string path, string displayName, ActionCatalog actions, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FleetException(SourceLocation.OfFile(displayName), $"cannot read the plan file: {e.Message}");
        }

        return Parse(bytes, displayName, actions);
    }

    /// <summary>
    /// Parses and verifies plan-file bytes: not JSON, truncated, another formatVersion, missing or
    /// mistyped fields, unknown fields and actions, and a checksum that does not match the body are all refused.
    /// </summary>
    public static Plan Parse(ReadOnlyMemory<byte> bytes, string displayName, ActionCatalog actions)
    {
        var file = SourceLocation.OfFile(displayName);
        using var document = ParseJson(bytes, displayName);
        Plan plan;
        ImmutableArray<KeyValuePair<string, int>> summary;
        string written;
        try
        {
            plan = PlanJsonReader.Read(document.RootElement, file, actions, out written, out summary);
        }
        catch (InvalidOperationException)
        {
            // A string escape such as \ud800 that is no text: reading it as a string fails.
            throw new FleetException(file, "the file is not a plan file: a string in it is not valid text (a lone surrogate escape)");
        }

        var expected = ComputeChecksum(plan);
        if (!string.Equals(written, expected, StringComparison.Ordinal))
        {
            throw new FleetException(file, $"the plan file was changed after it was written: its checksum is {written} but its content hashes to {expected}; run fleetctl plan again");
        }

        if (!summary.SequenceEqual(plan.Summary))
        {
            throw new FleetException(file, "the plan file was changed after it was written: its summary does not match its changes; run fleetctl plan again");
        }

        return Remember(plan with { Checksum = expected });
    }

    private static Plan Remember(Plan plan)
    {
        Sealed.AddOrUpdate(plan, plan.Checksum);
        return plan;
    }

    /// <summary>The indented file, a newline at its end, with the checksum computed when the plan was sealed.</summary>
    private static void Write(Plan plan, IBufferWriter<byte> output)
    {
        var checksum = Sealed.TryGetValue(plan, out var known) ? known : ComputeChecksum(plan);
        using (var writer = new Utf8JsonWriter(output, Pretty))
        {
            PlanJsonWriter.Write(writer, plan, checksum);
        }

        output.Write("\n"u8);
    }

    /// <summary>
    /// Hands what a writer produces to <see cref="Consume"/> chunk by chunk through one reused buffer,
    /// so a large body is never held in memory. A <see cref="Utf8JsonWriter"/> asks for new memory
    /// after every <see cref="Advance"/>, so the buffer can be written over once consumed.
    /// </summary>
    private abstract class ChunkBufferWriter : IBufferWriter<byte>
    {
        private byte[] buffer = new byte[64 * 1024];

        public void Advance(int count) => Consume(buffer.AsSpan(0, count));

        public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint);

        protected abstract void Consume(ReadOnlySpan<byte> chunk);

        private byte[] Ensure(int sizeHint)
        {
            if (sizeHint > buffer.Length)
            {
                buffer = new byte[sizeHint];
            }

            return buffer;
        }
    }

    /// <summary>Hashes the body without holding it.</summary>
    private sealed class HashingBufferWriter : ChunkBufferWriter, IDisposable
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Finish() => hash.GetHashAndReset();

        public void Dispose() => hash.Dispose();

        protected override void Consume(ReadOnlySpan<byte> chunk) => hash.AppendData(chunk);
    }

    /// <summary>Writes the file to a stream without holding it.</summary>
    private sealed class StreamBufferWriter(Stream stream) : ChunkBufferWriter
    {
        protected override void Consume(ReadOnlySpan<byte> chunk) => stream.Write(chunk);
    }

    private static JsonDocument ParseJson(ReadOnlyMemory<byte> bytes, string displayName)
    {
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new FleetException(SourceLocation.OfFile(displayName), "the plan file is empty");
        }

        // System.Text.Json checks structure, not the UTF-8 inside strings: that failed later, as an internal error.
        if (InvalidUtf8(bytes.Span) is { } invalid)
        {
            throw new FleetException(new SourceLocation(displayName, invalid.Line, invalid.Column), "the file is not a plan file: it is not valid UTF-8");
        }

        try
        {
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            var location = new SourceLocation(displayName, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1);
            throw new FleetException(location, IsTruncated(bytes.Span)
                ? "the plan file is truncated (its JSON ends early); write it again with fleetctl plan --out"
                : "the file is not a plan file: it is not valid JSON");
        }
    }

    /// <summary>The line and column (in bytes, as JSON errors count) of the first byte that is not UTF-8, or null.</summary>
    private static (int Line, int Column)? InvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return null;
        }

        var at = 0;
        while (Rune.DecodeFromUtf8(bytes[at..], out _, out var consumed) == OperationStatus.Done)
        {
            at += consumed;
        }

        var before = bytes[..at];
        return (before.Count((byte)'\n') + 1, at - before.LastIndexOf((byte)'\n'));
    }

    /// <summary>
    /// Whether bytes that failed to parse are the start of valid JSON: read as a partial block, they
    /// raise no error, so the only thing wrong is that the rest is missing.
    /// </summary>
    private static bool IsTruncated(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
