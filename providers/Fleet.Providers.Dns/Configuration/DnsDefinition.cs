using System.Collections.Immutable;
using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Loading.Yaml;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using static Fleet.Engine.Loading.Yaml.YamlFields;

namespace Fleet.Providers.Dns;

/// <summary><c>dns:</c> in fleet.yaml: the name servers, the default TTL, a zone template and how zones are pushed.</summary>
public sealed record DnsSpec(
    ImmutableArray<string> Nameservers,
    int Ttl,
    string? Template,
    DnsPushSpec? Push,
    FieldLocations Locations) : ProviderConfig
{
    public override IEnumerable<(string Field, object? Value)> Describe() =>
    [
        ("nameservers", Nameservers),
        ("ttl", Ttl),
        ("template", Template),
        ("push.method", Push?.Method),
        ("push.zoneDir", Push?.ZoneDir),
        ("push.server", Push?.Server),
    ];
}

/// <summary>How zones reach the name servers: <c>directory</c>, <c>rndc</c> or <c>rfc2136</c>. Keys are references.</summary>
public sealed record DnsPushSpec(
    string Method,
    string? ZoneDir,
    string? Server,
    string? KeyFile,
    FieldLocations Locations)
{
    /// <summary>
    /// The DNS address (<c>host:port</c>) serving the zones, read by AXFR for drift and serials when
    /// <see cref="Server"/> is not itself a DNS server (method <c>rndc</c> or <c>directory</c>).
    /// </summary>
    public string? Primary { get; init; }

    /// <summary>A TSIG key reference (<c>env:NAME</c> or <c>file:PATH</c>) for AXFR from <see cref="Primary"/>.</summary>
    public string? TransferKey { get; init; }

    public const string Directory = "directory";
    public const string Rndc = "rndc";
    public const string Rfc2136 = "rfc2136";
}

/// <summary>The <c>dns</c> block of a Role: records it publishes for its in_use machines (<c>dns: { srv: [...] }</c>).</summary>
public sealed record RoleDnsSpec(ImmutableArray<SrvSpec> Srv) : ProviderConfig
{
    public override IEnumerable<(string Field, object? Value)> Describe() => [];
}

/// <summary>
/// One SRV service of a role: <c>{ service: _fancydb._tcp, port: 5432 }</c> publishes
/// <c>_fancydb._tcp.&lt;site domain&gt;</c> pointing at every in_use machine of the role in that site.
/// </summary>
public sealed record SrvSpec(string Service, int Port, int Priority, int Weight, SourceLocation Location);

/// <summary>The DNS provider's fields as the model holds them.</summary>
public static class DnsFields
{
    /// <summary>fleet.yaml's <c>dns:</c>, when written.</summary>
    public static DnsSpec? Dns(this FleetSpec fleet) => fleet.Sections.Get<DnsSpec>(DnsDefinition.Section);

    /// <summary>A role's <c>dns:</c>, when written.</summary>
    public static RoleDnsSpec? Dns(this RoleSpec role) => role.Fields.Get<RoleDnsSpec>(DnsDefinition.Section);
}

/// <summary>
/// What the DNS provider accepts: the <c>dns</c> section of fleet.yaml, with a push method plug-in per
/// <c>dns.push.method</c>, and <c>dns</c> on roles (SRV records).
/// </summary>
public sealed class DnsDefinition : IProviderDefinition
{
    public const string Section = DnsProvider.ProviderName;

    /// <summary>The push methods and the fields each takes (all of them required but <c>primary</c> and <c>transferKey</c>).</summary>
    public static ImmutableArray<PlugInSchema> PushMethods { get; } =
    [
        Push(DnsPushSpec.Directory, """
            {
              "required": ["zoneDir"],
              "properties": {
                "zoneDir": { "type": "string", "minLength": 1, "description": "Where zone files are written (directory, rndc)." },
                "primary": { "type": "string", "minLength": 1, "description": "host:port of the DNS server that serves the zones, read by AXFR for drift and serials (rndc, directory)." },
                "transferKey": { "$ref": "#/$defs/secretRef", "description": "TSIG key reference for AXFR from primary." }
              }
            }
            """),
        Push(DnsPushSpec.Rndc, """
            {
              "required": ["zoneDir", "server", "keyFile"],
              "properties": {
                "zoneDir": { "type": "string", "minLength": 1, "description": "Where zone files are written (directory, rndc)." },
                "server": { "type": "string", "minLength": 1, "description": "host:port of the rndc control channel or the RFC 2136 primary." },
                "keyFile": { "$ref": "#/$defs/secretRef", "description": "rndc or TSIG key reference." },
                "primary": { "type": "string", "minLength": 1, "description": "host:port of the DNS server that serves the zones, read by AXFR for drift and serials (rndc, directory)." },
                "transferKey": { "$ref": "#/$defs/secretRef", "description": "TSIG key reference for AXFR from primary." }
              }
            }
            """),
        Push(DnsPushSpec.Rfc2136, """
            {
              "required": ["server", "keyFile"],
              "properties": {
                "server": { "type": "string", "minLength": 1, "description": "host:port of the rndc control channel or the RFC 2136 primary." },
                "keyFile": { "$ref": "#/$defs/secretRef", "description": "rndc or TSIG key reference." }
              }
            }
            """),
    ];

    /// <summary>Declared after <see cref="PushMethods"/>, which its schema reads.</summary>
    public static DnsDefinition Instance { get; } = new();

    public string Name => DnsProvider.ProviderName;

    public ImmutableArray<ActionDescriptor> Actions => DnsActions.All;

    public ProviderSchema Schema { get; } = new()
    {
        Sections =
        [
            new(Section, """
                {
                  "type": "object",
                  "required": ["nameservers"],
                  "additionalProperties": false,
                  "properties": {
                    "nameservers": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/dnsName" } },
                    "ttl": { "type": "integer", "minimum": 1, "maximum": 2147483647, "description": "Default record TTL in seconds (300)." },
                    "template": { "type": "string", "minLength": 1, "description": "A Scriban zone template, relative to the fleet directory." },
                    "push": {
                      "type": "object",
                      "required": ["method"],
                      "additionalProperties": false,
                      "properties": {
                        "method": { "description": "How zones reach the name servers." }
                      }
                    }
                  }
                }
                """),
        ],
        RoleFields =
        [
            new(Section, """
                {
                  "type": "object",
                  "additionalProperties": false,
                  "description": "DNS records the role publishes in the forward zone of each site where it has in_use machines.",
                  "properties": {
                    "srv": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": ["service", "port"],
                        "additionalProperties": false,
                        "properties": {
                          "service": {
                            "type": "string",
                            "pattern": "^_[a-z0-9]([-a-z0-9]*[a-z0-9])?\\._(tcp|udp|tls|sctp)$",
                            "x-expected": "an SRV service name like _fancydb._tcp"
                          },
                          "port": { "type": "integer", "minimum": 1, "maximum": 65535 },
                          "priority": { "type": "integer", "minimum": 0, "maximum": 65535, "description": "SRV priority (0)." },
                          "weight": { "type": "integer", "minimum": 0, "maximum": 65535, "description": "SRV weight (0)." }
                        }
                      }
                    }
                  }
                }
                """),
        ],
        PlugIns = PushMethods,
    };

    public ProviderConfig ReadField(ConfigField field)
    {
        var node = (YamlMapping)field.Value;
        if (field.Target == ConfigTarget.Role)
        {
            return new RoleDnsSpec([.. Seq(node, "srv").Select(n =>
            {
                var srv = (YamlMapping)n;
                return new SrvSpec(Str(srv, "service")!, Int(srv, "port")!.Value, Int(srv, "priority") ?? 0, Int(srv, "weight") ?? 0, srv.Location);
            })]);
        }

        var push = node["push"] as YamlMapping;
        return new DnsSpec(
            Strings(node, "nameservers"),
            Int(node, "ttl") ?? 300,
            Str(node, "template"),
            push is null ? null : new DnsPushSpec(Str(push, "method")!, Str(push, "zoneDir"), Str(push, "server"), Str(push, "keyFile"), Locate(push))
            {
                Primary = Str(push, "primary"),
                TransferKey = Str(push, "transferKey"),
            },
            field.Locations);
    }

    public PoolConfig ReadPool(string backend, YamlMapping pool, FieldLocations locations) =>
        throw new InvalidOperationException($"the dns provider serves no pool backend, asked for {backend}");

    public void Check(LoadedDocuments documents, ICollection<Diagnostic> diagnostics)
    {
        if (documents.Fleet?.Dns()?.Push is { } push)
        {
            CheckPush(push, diagnostics);
        }
    }

    private static void CheckPush(DnsPushSpec push, ICollection<Diagnostic> diagnostics)
    {
        var method = PushMethods.First(m => m.Name == push.Method);
        foreach (var field in method.RequiredFields.Where(f => !push.Locations.Fields.ContainsKey(f)))
        {
            diagnostics.Add(Diagnostic.Error(push.Locations.Document, $"dns.push method '{push.Method}' needs '{field}'"));
        }

        var own = method.Fields.ToHashSet(StringComparer.Ordinal);
        foreach (var field in new[] { "zoneDir", "server", "keyFile" }.Where(f => push.Locations.Fields.ContainsKey(f) && !own.Contains(f)))
        {
            diagnostics.Add(Diagnostic.Error(push.Locations.Of(field), $"dns.push field '{field}' does not apply to method '{push.Method}'"));
        }

        if (push.Server is { } server && !IsHostPort(server))
        {
            diagnostics.Add(Diagnostic.Error(push.Locations.Of("server"), $"dns.push server '{server}' must be host:port, such as 127.0.0.1:953"));
        }
    }

    private static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0
            && ushort.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port > 0
            && Uri.CheckHostName(value[..colon].Trim('[', ']')) != UriHostNameType.Unknown;
    }

    private static PlugInSchema Push(string method, string schema) => new("dns.push", "method", method, schema);

}
