using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Fleet.Engine.Loading.Yaml;

/// <summary>
/// Reads one YAML file into <see cref="YamlNode"/> trees, refusing what a fleet file never needs and
/// an attacker could abuse: files over <see cref="MaxFileBytes"/>, bytes that are not UTF-8, tab
/// indentation, duplicate keys, and aliases that expand beyond <see cref="MaxExpandedNodes"/> values
/// or nest beyond <see cref="MaxDepth"/>. Every problem becomes a diagnostic; nothing throws.
/// </summary>
public static partial class YamlFileReader
{
    public const long MaxFileBytes = 10 * 1024 * 1024;
    public const long MaxExpandedNodes = 100_000;
    public const int MaxDepth = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ImmutableArray<YamlDocumentNode> Read(IFleetSource source, string file, ICollection<Diagnostic> diagnostics)
    {
        var size = source.GetSize(file);
        if (size > MaxFileBytes)
        {
            diagnostics.Add(Diagnostic.Error(SourceLocation.OfFile(file), $"file is {size:N0} bytes; fleet files are limited to {MaxFileBytes / (1024 * 1024)} MiB"));
            return [];
        }

        var text = Decode(file, source.ReadAllBytes(file), diagnostics);
        return text is null ? [] : Parse(file, text, diagnostics);
    }

    /// <summary>Parses YAML text; <paramref name="file"/> is only used for locations.</summary>
    public static ImmutableArray<YamlDocumentNode> Parse(string file, string text, ICollection<Diagnostic> diagnostics)
    {
        if (FindTabIndentation(text) is { } tab)
        {
            diagnostics.Add(Diagnostic.Error(new SourceLocation(file, tab.Line, tab.Column), "tab character in indentation; YAML must be indented with spaces"));
            return [];
        }

        var documents = ImmutableArray.CreateBuilder<YamlDocumentNode>();
        var builder = new TreeBuilder(file, new Parser(new StringReader(text)), diagnostics);
        try
        {
            builder.Parser.Consume<StreamStart>();
            while (builder.Parser.TryConsume<DocumentStart>(out _))
            {
                var root = builder.ReadNode(depth: 0);
                builder.Parser.Consume<DocumentEnd>();
                if (root is not YamlScalar { Type: YamlScalarType.Null })
                {
                    documents.Add(new YamlDocumentNode(file, root));
                }
            }
        }
        catch (YamlException e)
        {
            diagnostics.Add(e.Start.Index >= text.TrimEnd().Length
                ? Diagnostic.Error(EndOf(file, text), $"malformed YAML: {Phrase(e)} before the end of the file")
                : Diagnostic.Error(Locate(file, e.Start), $"malformed YAML: {Phrase(e)}"));
            return [];
        }
        catch (LimitExceededException e)
        {
            diagnostics.Add(e.Diagnostic);
            return [];
        }

        if (documents.Count == 0 && !builder.HadErrors)
        {
            diagnostics.Add(Diagnostic.Error(new SourceLocation(file, 1, 1), "file has no YAML documents; expected at least one with apiVersion and kind"));
        }

        return builder.HadErrors ? [] : documents.ToImmutable();
    }

    private static string? Decode(string file, byte[] bytes, ICollection<Diagnostic> diagnostics)
    {
        var span = bytes.AsSpan();
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException e)
        {
            var offset = Math.Max(e.Index, 0);
            var (line, column) = PositionOf(span, offset);
            diagnostics.Add(Diagnostic.Error(new SourceLocation(file, line, column), "file is not valid UTF-8; save it as UTF-8"));
            return null;
        }
    }

    /// <summary>Line and column of a byte offset, counting the valid UTF-8 before it.</summary>
    private static (int Line, int Column) PositionOf(ReadOnlySpan<byte> bytes, int offset)
    {
        var before = bytes[..Math.Min(offset, bytes.Length)];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        var line = before.Count((byte)'\n') + 1;
        var column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
        return (line, column);
    }

    private static (int Line, int Column)? FindTabIndentation(string text)
    {
        var line = 1;
        var atLineStart = true;
        var column = 1;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line++;
                column = 1;
                atLineStart = true;
                continue;
            }

            if (atLineStart && c == '\t')
            {
                return (line, column);
            }

            if (c != ' ')
            {
                atLineStart = false;
            }

            column++;
        }

        return null;
    }

    /// <summary>
    /// Just after the last character of the file: where an unclosed <c>[</c> or <c>{</c> ends up, and a
    /// position that exists (YamlDotNet reports the line after a final newline, or past the last line).
    /// </summary>
    private static SourceLocation EndOf(string file, string text)
    {
        var content = text.TrimEnd();
        var lastLine = content.LastIndexOf('\n');
        return new SourceLocation(file, content.Count(c => c == '\n') + 1, content.Length - lastLine);
    }

    private static SourceLocation Locate(string file, Mark mark) =>
        new(file, (int)Math.Max(mark.Line, 1), (int)Math.Max(mark.Column, 1));

    /// <summary>YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is reported separately.</summary>
    private static string Phrase(YamlException e)
    {
        var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        var prefix = PositionPrefix().Match(message);
        message = prefix.Success ? message[prefix.Length..] : message;
        return message.TrimEnd('.').Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..].TrimEnd('.') : "syntax error";
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    private sealed class LimitExceededException(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic { get; } = diagnostic;
    }

    /// <summary>Builds nodes from parser events, resolving aliases to the anchored node (shared, never copied).</summary>
    private sealed class TreeBuilder(string file, IParser parser, ICollection<Diagnostic> diagnostics)
    {
        private readonly Dictionary<string, YamlNode> _anchors = new(StringComparer.Ordinal);

        public IParser Parser { get; } = parser;

        public bool HadErrors { get; private set; }

        public YamlNode ReadNode(int depth)
        {
            var start = Parser.Current ?? throw new YamlException("unexpected end of the file");
            var location = Locate(file, start.Start);
            if (depth > MaxDepth)
            {
                throw new LimitExceededException(Diagnostic.Error(location, $"YAML nested deeper than {MaxDepth} levels"));
            }

            YamlNode node;
            switch (start)
            {
                case AnchorAlias alias:
                    Parser.MoveNext();
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw new YamlException(start.Start, start.End, $"alias *{alias.Value.Value} refers to an unknown anchor");
                    }

                    return target;
                case Scalar scalar:
                    Parser.MoveNext();
                    node = new YamlScalar(location, scalar.Value, ScalarTyping.TypeOf(scalar));
                    break;
                case SequenceStart:
                    Parser.MoveNext();
                    node = ReadSequence(location, depth);
                    break;
                case MappingStart:
                    Parser.MoveNext();
                    node = ReadMapping(location, depth);
                    break;
                default:
                    throw new YamlException(start.Start, start.End, $"unexpected {start.GetType().Name}");
            }

            if (node.ExpandedSize > MaxExpandedNodes)
            {
                throw new LimitExceededException(Diagnostic.Error(location, $"YAML aliases expand to more than {MaxExpandedNodes:N0} values; refusing to expand them"));
            }

            if (start is NodeEvent { Anchor.IsEmpty: false } anchored)
            {
                _anchors[anchored.Anchor.Value] = node;
            }

            return node;
        }

        private YamlSequence ReadSequence(SourceLocation location, int depth)
        {
            var items = ImmutableArray.CreateBuilder<YamlNode>();
            while (!Parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(depth + 1));
            }

            return new YamlSequence(location, items.ToImmutable());
        }

        private YamlMapping ReadMapping(SourceLocation location, int depth)
        {
            var entries = ImmutableArray.CreateBuilder<YamlEntry>();
            var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
            while (!Parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(depth + 1);
                var value = ReadNode(depth + 1);
                if (keyNode is not YamlScalar key)
                {
                    Report(keyNode.Location, $"mapping keys must be plain words, not {keyNode.Describe()}");
                    continue;
                }

                if (seen.TryGetValue(key.Text, out var first))
                {
                    Report(key.Location, $"duplicate key '{key.Text}'; it is already set at line {first.Line}");
                    continue;
                }

                seen.Add(key.Text, key.Location);
                entries.Add(new YamlEntry(key, value));
            }

            return new YamlMapping(location, entries.ToImmutable());
        }

        private void Report(SourceLocation location, string message)
        {
            HadErrors = true;
            diagnostics.Add(Diagnostic.Error(location, message));
        }
    }
}
