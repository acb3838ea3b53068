using System.Globalization;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Dns.Zones;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Fleet.Providers.Dns.Rendering;

/// <summary>
/// Renders zone data through its Scriban template. Templates see only <c>zone</c> (see
/// <see cref="TemplateZone"/>), whose names and values were all validated and canonicalized before,
/// so no input can inject records. Loop and output limits scale with the zone instead of Scriban's
/// defaults (1,000 iterations; silent truncation at 1 MiB), and exceeding them is an error.
/// </summary>
public sealed class ZoneRenderer
{
    private readonly ConcurrentDictionary<string, Template> parsed = new(StringComparer.Ordinal);

    /// <summary>Parse errors of a template, located in its file.</summary>
    public static ImmutableArray<Diagnostic> Check(ZoneTemplateRef template)
    {
        var parsed = Template.Parse(template.Text, template.Source);
        return [.. parsed.Messages.Where(m => m.Type == ParserMessageType.Error).Select(m => Diagnostic.Error(
            new SourceLocation(template.Source, m.Span.Start.Line + 1, m.Span.Start.Column + 1),
            $"zone template: {m.Message}"))];
    }

    /// <summary>The zone file text. A template that fails at run time is a <see cref="FleetException"/> naming the zone.</summary>
    public string Render(ZoneData zone)
    {
        var template = parsed.GetOrAdd(zone.Template.Text, text => Template.Parse(text, zone.Template.Source));
        if (template.HasErrors)
        {
            throw new FleetException(Check(zone.Template));
        }

        var model = new TemplateZone(zone);
        var globals = new ScriptObject { ["zone"] = model };
        var records = model.Records.Count + model.Nameservers.Count;
        var context = new TemplateContext
        {
            StrictVariables = true,
            LoopLimit = records * 4 + 10_000,
            OutputLimit = Math.Max(16 << 20, records * 1_024),
            OnOutputLimit = ScriptLimitBehavior.Throw,
            MemberRenamer = StandardMemberRenamer.Default,
        };
        context.PushGlobal(globals);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException e)
        {
            var start = e.Span.Start;
            throw new FleetException(
                new SourceLocation(zone.Template.Source, start.Line + 1, start.Column + 1),
                $"zone {zone.Name}: template failed: {e.OriginalMessage}");
        }
    }
}

/// <summary>
/// What a zone template sees as <c>zone</c> (members are snake_case in templates): <c>name</c>,
/// <c>kind</c> (forward/reverse), <c>serial</c>, <c>ttl</c>, <c>soa</c> (mname, rname, refresh, retry,
/// expire, minimum), <c>nameservers</c> (apex NS targets) and <c>records</c>, sorted canonically.
/// </summary>
public sealed class TemplateZone(ZoneData zone)
{
    public string Name { get; } = zone.Name;

    public string Kind { get; } = zone.Kind == ZoneKind.Forward ? "forward" : "reverse";

    public uint Serial { get; } = zone.Serial;

    public int Ttl { get; } = zone.Ttl;

    public SoaFields Soa { get; } = zone.Soa;

    public IReadOnlyList<string> Nameservers { get; } = zone.Nameservers;

    public IReadOnlyList<TemplateRecord> Records { get; } = [.. zone.Records.Select(r => new TemplateRecord(r, zone.Name))];
}

/// <summary>
/// One record as a template sees it: <c>name</c> relative to the zone (<c>@</c> for the apex),
/// <c>fqdn</c>, <c>ttl</c>, <c>type</c> and <c>value</c> in canonical presentation form, and <c>line</c>,
/// the record as one tab-separated zone-file line (<c>name ttl IN type value</c>), which the default
/// template writes because one member access per record renders large zones several times faster.
/// </summary>
public sealed class TemplateRecord(ZoneRecord record, string origin)
{
    public string Name { get; } = DnsName.Relative(record.Name, origin);

    public string Fqdn { get; } = record.Name;

    public int Ttl { get; } = record.Ttl;

    public string Type { get; } = record.Type;

    public string Value { get; } = record.Value;

    public string Line => string.Create(CultureInfo.InvariantCulture, $"{Name}\t{Ttl}\tIN\t{Type}\t{Value}");
}
