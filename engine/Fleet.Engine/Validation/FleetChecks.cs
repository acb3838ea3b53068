using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.GitOps;
using Fleet.Engine.Model;

namespace Fleet.Engine.Validation;

/// <summary>Checks of the Fleet document across its fields: unique sites and domains, networks, freeze windows.</summary>
internal static class FleetChecks
{
    public static void Check(FleetSpec fleet, List<Diagnostic> diagnostics)
    {
        SemanticChecks.Unique(fleet.Sites, s => s.Name, s => s.Locations, "site", diagnostics);
        SemanticChecks.Unique(fleet.Hardware, h => h.Name, h => h.Locations, "hardware", diagnostics);
        CheckDomains(fleet, diagnostics);
        CheckNetworks(fleet, diagnostics);
        foreach (var freeze in fleet.Reconcile.Freeze)
        {
            if (freeze.ScheduleError is { } error)
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
}
