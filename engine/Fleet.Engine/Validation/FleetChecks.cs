using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Loading;
using Fleet.Engine.Model;

namespace Fleet.Engine.Validation;

/// <summary>Checks of the Fleet document across its fields: unique sites and domains, networks, drivers, DNS push.</summary>
internal static class FleetChecks
{
    public static void Check(FleetSpec fleet, IFleetSource source, List<Diagnostic> diagnostics)
    {
        SemanticChecks.Unique(fleet.Sites, s => s.Name, s => s.Locations, "site", diagnostics);
        SemanticChecks.Unique(fleet.Hardware, h => h.Name, h => h.Locations, "hardware", diagnostics);
        CheckDomains(fleet, diagnostics);
        CheckNetworks(fleet, diagnostics);
        foreach (var site in fleet.Sites)
        {
            CheckPower(site, source, diagnostics);
        }

        if (fleet.Dns?.Push is { } push)
        {
            CheckPush(push, diagnostics);
        }

        foreach (var freeze in fleet.Reconcile.Freeze)
        {
            if (CronSchedule.TryParse(freeze.Schedule, out var error) is null)
            {
                diagnostics.Add(Diagnostic.Error(freeze.Locations.Of("schedule"), $"reconcile.freeze: {error}"));
            }
        }
    }

    private static void CheckDomains(FleetSpec fleet, List<Diagnostic> diagnostics)
    {
        var first = new Dictionary<string, SiteSpec>(StringComparer.Ordinal);
        foreach (var site in fleet.Sites)
        {
            var domain = site.Domain.TrimEnd('.');
            if (!domain.Contains('.', StringComparison.Ordinal))
            {
                diagnostics.Add(Diagnostic.Error(site.Locations.Of("domain"), $"site '{site.Name}': domain '{site.Domain}' must have at least two labels, such as {site.Name}.example.net"));
            }

            if (!first.TryAdd(domain, site))
            {
                diagnostics.Add(Diagnostic.Error(site.Locations.Of("domain"), $"site '{site.Name}': domain '{site.Domain}' is already the domain of site '{first[domain].Name}'"));
            }
        }
    }

    private static void CheckNetworks(FleetSpec fleet, List<Diagnostic> diagnostics)
    {
        var seen = new List<(Cidr Network, SiteSpec Site, SourceLocation Location)>();
        foreach (var site in fleet.Sites)
        {
            for (var i = 0; i < site.Networks.Length; i++)
            {
                var location = site.Locations.Of($"networks[{i.ToString(CultureInfo.InvariantCulture)}]");
                if (!Cidr.TryParse(site.Networks[i], out var network, out var error))
                {
                    diagnostics.Add(Diagnostic.Error(location, $"site '{site.Name}': {error}"));
                    continue;
                }

                var overlap = seen.FirstOrDefault(s => s.Network.Overlaps(network));
                if (overlap.Site is not null)
                {
                    var whose = overlap.Site == site ? "another network of the same site" : $"network {overlap.Network} of site '{overlap.Site.Name}'";
                    diagnostics.Add(Diagnostic.Error(location, $"site '{site.Name}': network {network} overlaps {whose} ({overlap.Location})"));
                    continue;
                }

                seen.Add((network, site, location));
            }
        }
    }

    private static void CheckPower(SiteSpec site, IFleetSource source, List<Diagnostic> diagnostics)
    {
        var power = site.Power;
        string[] simulatedOnly = ["installSeconds", "recycleSeconds", "failureRate"];
        string[] bmcOnly = ["username", "password"];
        var foreign = power.Driver == PowerSpec.Simulated ? bmcOnly : simulatedOnly;
        foreach (var field in foreign.Where(power.Locations.Fields.ContainsKey))
        {
            var applies = power.Driver == PowerSpec.Simulated ? "the ipmi and redfish drivers" : "the simulated driver";
            diagnostics.Add(Diagnostic.Error(power.Locations.Of(field), $"site '{site.Name}': power field '{field}' applies only to {applies}"));
        }

        if (power.CaFile is { } caFile)
        {
            var location = power.Locations.Of("caFile");
            if (power.Driver != PowerSpec.Redfish)
            {
                diagnostics.Add(Diagnostic.Error(location, $"site '{site.Name}': power field 'caFile' applies only to the redfish driver"));
            }
            else if (!FileExists(source, caFile))
            {
                diagnostics.Add(Diagnostic.Error(location, $"site '{site.Name}': power.caFile '{caFile}' does not exist in the fleet repository; it is a PEM file of the CA or the BMC certificates, relative to the fleet directory"));
            }
        }
    }

    /// <summary>Whether a path relative to the fleet directory names a file of it; a path leading outside it does not.</summary>
    private static bool FileExists(IFleetSource source, string path)
    {
        const string root = "/fleet/";
        var relative = Path.GetRelativePath(root, Path.GetFullPath(path, root));
        return !Path.IsPathRooted(path) && !relative.StartsWith("..", StringComparison.Ordinal) && source.Exists(relative);
    }

    private static void CheckPush(DnsPushSpec push, List<Diagnostic> diagnostics)
    {
        var (required, allowed) = push.Method switch
        {
            "directory" => (new[] { "zoneDir" }, new[] { "zoneDir" }),
            "rndc" => (["zoneDir", "server", "keyFile"], ["zoneDir", "server", "keyFile"]),
            _ => (["server", "keyFile"], new[] { "server", "keyFile" }),
        };
        foreach (var field in required.Where(f => !push.Locations.Fields.ContainsKey(f)))
        {
            diagnostics.Add(Diagnostic.Error(push.Locations.Document, $"dns.push method '{push.Method}' needs '{field}'"));
        }

        foreach (var field in new[] { "zoneDir", "server", "keyFile" }.Where(f => push.Locations.Fields.ContainsKey(f) && !allowed.Contains(f)))
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
}
