using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>
/// Plans GCP pools against the project's managed instance groups, as a pure function. Each pool is
/// one group in its zone, named after the pool:
/// <list type="bullet">
/// <item>no group: <c>create_group</c> (its template, then the group at the pool's size);</item>
/// <item>the template differs (machine type, image, role): <c>update_template</c>; new instances use
/// the new template, existing ones keep theirs until they are recreated;</item>
/// <item>the size differs: <c>resize</c> (after any template update, so new instances get the new template);</item>
/// <item>a group of the pool's name that fleetctl does not manage, or in another zone: an error, never touched;</item>
/// <item>a managed group whose pool is no longer declared: <c>delete_group</c> only with
/// <c>--allow-destroy</c> and never while the inventory says the pool is protected.</item>
/// </list>
/// </summary>
public static class GcpPlanner
{
    public const string ProviderName = "gcp";

    /// <summary>Parameter names of GCP changes: everything apply needs, so it never reads the desired state.</summary>
    public static class Parameters
    {
        public const string Pool = "pool";
        public const string Zone = "zone";
        public const string Size = "size";
        public const string Template = "template";
        public const string MachineType = "machineType";
        public const string Image = "image";
        public const string Role = "role";
        public const string Fleet = "fleet";
    }

    internal const string DisruptionWhat = "instances removed from managed instance groups";

    /// <summary>What a GCP pool needs beyond the schema: a role image that can name a GCP image.</summary>
    public static ImmutableArray<Diagnostic> Validate(DesiredState desired)
    {
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var project = desired.Fleet.Gcp()?.Project;
        if (project is null)
        {
            return [];
        }

        var roles = desired.Pools.Where(p => p.Backend == GcpDefinition.Backend).Select(p => p.Role).ToHashSet(StringComparer.Ordinal);
        foreach (var role in desired.Roles.Where(r => roles.Contains(r.Name)))
        {
            if (GcpImages.SourceImage(role.Image, project) is null)
            {
                diagnostics.Add(Diagnostic.Error(role.Locations.Of("image"), $"role {role.Name} runs on GCP pools: {GcpImages.Problem(role.Image)}"));
            }
        }

        return diagnostics.ToImmutable();
    }

    public static ProviderPlan Plan(DesiredState desired, GcpSnapshot actual, PlanOptions options)
    {
        var project = desired.Fleet.Gcp()?.Project;
        if (project is null)
        {
            return ProviderPlan.Empty;
        }

        var fleet = desired.Fleet.Name;
        var changes = ImmutableArray.CreateBuilder<ProposedChange>();
        var guards = new Dictionary<string, string>(StringComparer.Ordinal);
        var disruptions = new List<Disruption>();
        var limits = new List<string>();
        var errors = new List<Diagnostic>();

        foreach (var pool in desired.Pools.Where(p => p.Backend == GcpDefinition.Backend && p.Gcp() is not null).OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!options.Selection.Includes(pool.Name, null))
            {
                continue;
            }

            var role = desired.FindRole(pool.Role);
            var sourceImage = role is null ? null : GcpImages.SourceImage(role.Image, project);
            if (role is null || sourceImage is null)
            {
                continue; // reported by validation
            }

            var address = Address(pool.Name);
            var spec = pool.Gcp()!;
            var template = GroupTemplates.Build(fleet, pool.Name, role.Name, spec.MachineType, sourceImage);
            var named = actual.Groups.Where(g => g.Name == pool.Name).ToList();
            var group = named.FirstOrDefault(g => g.Zone == spec.Zone);
            var elsewhere = named.FirstOrDefault(g => g.Zone != spec.Zone && g.ManagedBy == fleet);
            if (elsewhere is not null)
            {
                errors.Add(Diagnostic.Error(pool.Locations.Of("gcp.zone"),
                    $"pool {pool.Name}: its managed instance group is in zone {elsewhere.Zone}, not {spec.Zone}; fleetctl does not move groups between zones " +
                    "(declare a new pool in the new zone, apply, then remove this one)"));
                continue;
            }

            if (group is not null && group.ManagedBy != fleet)
            {
                errors.Add(Diagnostic.Error(pool.Locations.Of("name"),
                    $"pool {pool.Name}: a managed instance group {pool.Name} already exists in {spec.Zone} and fleetctl does not manage it " +
                    $"({(group.ManagedBy is null ? "it lacks fleetctl's description" : $"fleet {group.ManagedBy} manages it")}); rename the pool or remove that group"));
                continue;
            }

            var parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                KeyValuePair.Create(Parameters.Fleet, fleet),
                KeyValuePair.Create(Parameters.Pool, pool.Name),
                KeyValuePair.Create(Parameters.Zone, spec.Zone),
                KeyValuePair.Create(Parameters.Role, role.Name),
                KeyValuePair.Create(Parameters.MachineType, spec.MachineType),
                KeyValuePair.Create(Parameters.Image, sourceImage),
                KeyValuePair.Create(Parameters.Template, template.Name),
                KeyValuePair.Create(Parameters.Size, Text(pool.Size)),
            ]);

            if (group is null)
            {
                changes.Add(ProposedChange.Of(Change(address, GcpActions.CreateGroup, "create", parameters, null, new JsonObject
                {
                    ["zone"] = spec.Zone,
                    ["machineType"] = spec.MachineType,
                    ["image"] = sourceImage,
                    ["template"] = template.Name,
                    ["size"] = pool.Size,
                })));
                guards[GcpGuards.Group(pool.Name)] = GcpGuards.Absent;
                continue;
            }

            var touched = false;
            if (group.Template != template.Name)
            {
                changes.Add(ProposedChange.Of(Change(address, GcpActions.UpdateTemplate, "template", parameters,
                    new JsonObject { ["template"] = group.Template },
                    new JsonObject { ["template"] = template.Name, ["machineType"] = spec.MachineType, ["image"] = sourceImage })));
                if (group.TargetSize > 0)
                {
                    limits.Add($"{address}: the new template applies to instances created from now on; the group's {group.TargetSize} existing instances keep template {group.Template} until they are recreated");
                }

                touched = true;
            }

            if (group.TargetSize != pool.Size)
            {
                var change = Change(address, GcpActions.Resize, pool.Size > group.TargetSize ? "grow" : "shrink", parameters,
                    new JsonObject { ["size"] = group.TargetSize }, new JsonObject { ["size"] = pool.Size });
                changes.Add(touched
                    ? new ProposedChange(change, [new ChangeSelector(Provider: ProviderName, Address: address, Action: GcpActions.UpdateTemplate)])
                    : ProposedChange.Of(change));
                if (pool.Size < group.TargetSize)
                {
                    disruptions.Add(new Disruption(address, group.TargetSize, group.TargetSize - pool.Size, DisruptionWhat));
                }

                touched = true;
            }

            if (touched)
            {
                guards[GcpGuards.Group(pool.Name)] = GcpGuards.Version(group);
            }
        }

        PlanRemoved(desired, actual, options, fleet, changes, guards, disruptions, limits, errors);
        return new ProviderPlan(changes.ToImmutable(), guards, [.. disruptions], [], [.. limits], [.. errors]);
    }

    /// <summary>Managed groups of this fleet whose pool is no longer declared as a GCP pool: the same rules as removed physical pools.</summary>
    private static void PlanRemoved(
        DesiredState desired, GcpSnapshot actual, PlanOptions options, string fleet,
        ImmutableArray<ProposedChange>.Builder changes, Dictionary<string, string> guards, List<Disruption> disruptions, List<string> limits, List<Diagnostic> errors)
    {
        var declared = desired.Pools.Where(p => p.Backend == GcpDefinition.Backend).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var records = actual.Pools.Where(p => p.Backend == ProviderName).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var group in actual.Groups.Where(g => g.ManagedBy == fleet && !declared.Contains(g.Name)).OrderBy(g => g.Name, StringComparer.Ordinal).ThenBy(g => g.Zone, StringComparer.Ordinal))
        {
            if (!options.Selection.Includes(group.Name, null))
            {
                continue;
            }

            var address = Address(group.Name);
            var isProtected = records.TryGetValue(group.Name, out var record) && record.Protected;
            if (isProtected && options.AllowDestroy)
            {
                errors.Add(Diagnostic.Error(
                    $"pool {group.Name} is no longer declared but is protected in the inventory; declare it again with protect: false and apply before removing it"));
                continue;
            }

            if (isProtected || !options.AllowDestroy)
            {
                limits.Add($"{address}: no longer declared; its managed instance group in {group.Zone} ({group.TargetSize} instances) is kept " +
                           $"({(isProtected ? "the pool is protected" : "plan with --allow-destroy to delete it")})");
                continue;
            }

            var parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [
                KeyValuePair.Create(Parameters.Fleet, fleet),
                KeyValuePair.Create(Parameters.Pool, group.Name),
                KeyValuePair.Create(Parameters.Zone, group.Zone),
            ]);
            changes.Add(ProposedChange.Of(Change(address, GcpActions.DeleteGroup, "destroy", parameters,
                new JsonObject { ["zone"] = group.Zone, ["template"] = group.Template, ["size"] = group.TargetSize }, null)));
            if (group.TargetSize > 0)
            {
                disruptions.Add(new Disruption(address, group.TargetSize, group.TargetSize, DisruptionWhat));
            }

            guards[GcpGuards.Group(group.Name)] = GcpGuards.Version(group);
        }
    }

    private static PlannedChange Change(string address, ChangeAction action, string reason, ImmutableSortedDictionary<string, string> parameters, JsonObject? before, JsonObject? after) =>
        new()
        {
            Id = string.Empty,
            Address = address,
            Provider = ProviderName,
            Action = action,
            Reason = reason,
            Parameters = parameters,
            Before = before,
            After = after,
        };

    private static string Address(string pool) => ResourceAddress.Pool(pool).ToString();

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
