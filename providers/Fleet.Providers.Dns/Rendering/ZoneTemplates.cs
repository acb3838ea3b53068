using System.Collections.Immutable;
using System.Text;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;
using Fleet.Providers.Dns.Zones;
using Scriban;

namespace Fleet.Providers.Dns.Rendering;

/// <summary>
/// The templates zones render through: the built-in default, <c>dns.template</c> for the fleet, and a
/// Zone document's <c>template</c> for its zone. Loaded and parsed once, so a broken template is a
/// diagnostic at load time, not a failure halfway through a push.
/// </summary>
public sealed class ZoneTemplates
{
    public const string DefaultSource = "(built-in default template)";

    private readonly ZoneTemplateRef fleetTemplate;
    private readonly ImmutableDictionary<string, ZoneTemplateRef> byPath;

    private ZoneTemplates(ZoneTemplateRef fleetTemplate, ImmutableDictionary<string, ZoneTemplateRef> byPath)
    {
        this.fleetTemplate = fleetTemplate;
        this.byPath = byPath;
    }

    /// <summary>The built-in BIND zone-file template.</summary>
    public static ZoneTemplateRef Default { get; } = new(DefaultSource, ReadDefault());

    /// <summary>Only the built-in template (a fleet without <c>dns.template</c> or Zone templates).</summary>
    public static ZoneTemplates BuiltIn { get; } = new(Default, ImmutableDictionary<string, ZoneTemplateRef>.Empty);

    /// <summary>Reads and parses every template the desired state names; returns every problem at once.</summary>
    public static (ZoneTemplates Templates, ImmutableArray<Diagnostic> Diagnostics) Load(DesiredState desired, IFleetSource source)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var byPath = ImmutableDictionary.CreateBuilder<string, ZoneTemplateRef>(StringComparer.Ordinal);
        void Read(string path, SourceLocation location)
        {
            if (byPath.ContainsKey(path))
            {
                return;
            }

            var normalized = path.Replace('\\', '/').TrimStart('.', '/');
            if (!source.Exists(normalized))
            {
                diagnostics.Add(Diagnostic.Error(location, $"template '{path}' not found in the fleet repository"));
                return;
            }

            var template = new ZoneTemplateRef(normalized, Encoding.UTF8.GetString(source.ReadAllBytes(normalized)));
            diagnostics.AddRange(ZoneRenderer.Check(template));
            byPath[path] = template;
        }

        if (desired.Fleet.Dns() is { Template: { } fleetPath } dns)
        {
            Read(fleetPath, dns.Locations.Of("template"));
        }

        foreach (var zone in desired.Zones)
        {
            if (zone.Template is { } zonePath)
            {
                Read(zonePath, zone.Locations.Of("template"));
            }
        }

        var fleet = desired.Fleet.Dns()?.Template is { } p && byPath.TryGetValue(p, out var t) ? t : Default;
        return (new ZoneTemplates(fleet, byPath.ToImmutable()), diagnostics.ToImmutable());
    }

    /// <summary>The template of a zone: its Zone document's, else the fleet's, else the default.</summary>
    public ZoneTemplateRef For(ZoneSpec? zone) =>
        zone?.Template is { } path && byPath.TryGetValue(path, out var template) ? template : fleetTemplate;

    private static string ReadDefault()
    {
        using var stream = typeof(ZoneTemplates).Assembly.GetManifestResourceStream("Fleet.Providers.Dns.Rendering.default.zone.sbn")
            ?? throw new InvalidOperationException("the default zone template is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
