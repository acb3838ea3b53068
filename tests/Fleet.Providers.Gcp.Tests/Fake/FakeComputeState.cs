using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Fleet.Providers.Gcp.Tests.Fake;

/// <summary>How long the fake takes: operations are PENDING, then RUNNING, then DONE; instances take time to start and to stop.</summary>
public sealed record FakeComputeTimings(TimeSpan Pending, TimeSpan Running, TimeSpan InstanceStart, TimeSpan InstanceStop, TimeSpan WaitLimit)
{
    public static FakeComputeTimings Fast { get; } = new(
        TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(150), TimeSpan.FromMilliseconds(80), TimeSpan.FromSeconds(2));
}

/// <summary>A group as tests inspect it.</summary>
public sealed record FakeGroup(string Zone, string Name, string? Description, string Template, int TargetSize, int Instances, bool IsStable);

/// <summary>
/// The resources of the fake's one project. Time is evaluated lazily: every call first lets the
/// operations whose time has come take effect (in the order they finish), then answers.
/// </summary>
public sealed partial class FakeComputeState(string project, FakeComputeTimings timings, TimeProvider clock)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, JsonObject> templates = new(StringComparer.Ordinal);
    private readonly SortedDictionary<(string Zone, string Name), Group> groups = [];
    private readonly Dictionary<string, Op> operations = new(StringComparer.Ordinal);
    private (string Code, string Message)? failNextOperation;
    private long ids = 1_000_000;

    /// <summary>What resource URLs start with (the fake's <c>compute/v1/</c> address), set when the server starts.</summary>
    public string LinkBase { get; set; } = "https://compute.googleapis.com/compute/v1/";

    /// <summary>The next mutating call's operation ends DONE with this error (<c>QUOTA_EXCEEDED</c>…) and takes no effect.</summary>
    public void FailNextOperation(string code, string message)
    {
        lock (gate)
        {
            failNextOperation = (code, message);
        }
    }

    public FakeGroup? FindGroup(string zone, string name)
    {
        lock (gate)
        {
            var now = Advance();
            return groups.TryGetValue((zone, name), out var group) ? Snapshot(group, now) : null;
        }
    }

    public IReadOnlyList<string> TemplateNames()
    {
        lock (gate)
        {
            return [.. templates.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>A group that exists already, stable, as if made by hand or long ago (its template need not exist).</summary>
    public void SeedGroup(string zone, string name, string? description, string template, int size)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            var group = new Group(zone, name, description, TemplateLink(template), name, size, Id());
            for (var i = 0; i < size; i++)
            {
                group.Instances.Add(new Instance(group.NextInstanceName(), now, group.Template));
            }

            groups[(zone, name)] = group;
        }
    }

    /// <summary>Someone resizes the group outside fleetctl (console, gcloud): it takes effect now.</summary>
    public void ResizeByHand(string zone, string name, int size)
    {
        lock (gate)
        {
            var now = Advance();
            var group = Find(zone, name);
            group.TargetSize = size;
            Reconcile(group, now);
        }
    }

    public JsonNode GetTemplate(string name)
    {
        lock (gate)
        {
            Advance();
            return templates.TryGetValue(name, out var template)
                ? template.DeepClone()
                : throw FakeError.NotFound($"The resource 'projects/{project}/global/instanceTemplates/{name}' was not found");
        }
    }

    public JsonNode InsertTemplate(JsonObject body)
    {
        var name = body["name"]?.GetValue<string>();
        CheckName(name, "resource.name");
        var properties = body["properties"] as JsonObject ?? throw FakeError.Invalid("Required field 'resource.properties' not specified");
        if (properties["machineType"]?.GetValue<string>() is not { Length: > 0 })
        {
            throw FakeError.Invalid("Required field 'resource.properties.machineType' not specified");
        }

        var boot = (properties["disks"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(d => d["boot"]?.GetValue<bool>() == true);
        if (boot?["initializeParams"]?["sourceImage"]?.GetValue<string>() is not { Length: > 0 })
        {
            throw FakeError.Invalid("Invalid value for field 'resource.properties.disks': ''. Boot disk must be specified.");
        }

        lock (gate)
        {
            var now = Advance();
            var link = TemplateLink(name!);
            if (templates.ContainsKey(name!))
            {
                throw FakeError.AlreadyExists($"projects/{project}/global/instanceTemplates/{name}");
            }

            var stored = (JsonObject)body.DeepClone();
            stored["kind"] = "compute#instanceTemplate";
            stored["id"] = Id();
            stored["selfLink"] = link;
            stored["creationTimestamp"] = now.ToString("O", CultureInfo.InvariantCulture);
            templates[name!] = stored;
            return Start(null, "insert", link, now, null).Json(now, LinkBase, project);
        }
    }

    public JsonNode GetGroup(string zone, string name)
    {
        lock (gate)
        {
            var now = Advance();
            return Find(zone, name).Json(now, LinkBase, project, Busy(zone, name));
        }
    }

    public JsonNode InsertGroup(string zone, JsonObject body)
    {
        var name = body["name"]?.GetValue<string>();
        CheckName(name, "resource.name");
        var template = body["instanceTemplate"]?.GetValue<string>() ?? throw FakeError.Invalid("Required field 'resource.instanceTemplate' not specified");
        var baseName = body["baseInstanceName"]?.GetValue<string>();
        CheckName(baseName, "resource.baseInstanceName");
        var size = body["targetSize"]?.GetValue<int>() ?? throw FakeError.Invalid("Required field 'resource.targetSize' not specified");
        lock (gate)
        {
            var now = Advance();
            var templateName = template[(template.LastIndexOf('/') + 1)..];
            if (!templates.ContainsKey(templateName))
            {
                throw FakeError.Invalid($"Invalid value for field 'resource.instanceTemplate': '{template}'. The referenced instance template does not exist.");
            }

            if (groups.ContainsKey((zone, name!)))
            {
                throw FakeError.AlreadyExists($"projects/{project}/zones/{zone}/instanceGroupManagers/{name}");
            }

            var group = new Group(zone, name!, body["description"]?.GetValue<string>(), TemplateLink(templateName), baseName!, size, Id());
            groups[(zone, name!)] = group;
            return Start(zone, "insert", group.Link(LinkBase, project), now, at => Reconcile(group, at)).Json(now, LinkBase, project);
        }
    }

    public JsonNode DeleteGroup(string zone, string name)
    {
        lock (gate)
        {
            var now = Advance();
            var group = Find(zone, name);
            return Start(zone, "delete", group.Link(LinkBase, project), now, _ => groups.Remove((zone, name))).Json(now, LinkBase, project);
        }
    }

    public JsonNode Resize(string zone, string name, int size)
    {
        lock (gate)
        {
            var now = Advance();
            var group = Find(zone, name);
            return Start(zone, "compute.instanceGroupManagers.resize", group.Link(LinkBase, project), now, at =>
            {
                group.TargetSize = size;
                Reconcile(group, at);
            }).Json(now, LinkBase, project);
        }
    }

    /// <summary>Only new instances use the new template, as the API documents for setInstanceTemplate.</summary>
    public JsonNode SetInstanceTemplate(string zone, string name, JsonObject body)
    {
        var template = body["instanceTemplate"]?.GetValue<string>() ?? throw FakeError.Invalid("Required field 'instanceTemplate' not specified");
        lock (gate)
        {
            var now = Advance();
            var group = Find(zone, name);
            var templateName = template[(template.LastIndexOf('/') + 1)..];
            if (!templates.ContainsKey(templateName))
            {
                throw FakeError.NotFound($"The resource 'projects/{project}/global/instanceTemplates/{templateName}' was not found");
            }

            return Start(zone, "compute.instanceGroupManagers.setInstanceTemplate", group.Link(LinkBase, project), now, _ => group.Template = TemplateLink(templateName))
                .Json(now, LinkBase, project);
        }
    }

    public JsonNode ListManagedInstances(string zone, string name, int pageSize, string? pageToken)
    {
        lock (gate)
        {
            var now = Advance();
            var instances = Find(zone, name).Instances.OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
            var (page, next) = Page(instances, pageSize, pageToken);
            var result = new JsonObject { ["managedInstances"] = new JsonArray([.. page.Select(i => i.Json(now, LinkBase, project, zone))]) };
            if (next is not null)
            {
                result["nextPageToken"] = next;
            }

            return result;
        }
    }

    public JsonNode AggregatedGroups(int pageSize, string? pageToken)
    {
        lock (gate)
        {
            var now = Advance();
            var (page, next) = Page(groups.Values.ToList(), pageSize, pageToken);
            // Like the real list, zones without groups appear with a warning instead of a list.
            var items = new JsonObject
            {
                ["zones/us-central1-a"] = new JsonObject
                {
                    ["warning"] = new JsonObject { ["code"] = "NO_RESULTS_ON_PAGE", ["message"] = "There are no results for scope 'zones/us-central1-a' on this page." },
                },
            };
            foreach (var zone in page.GroupBy(g => g.Zone))
            {
                items[$"zones/{zone.Key}"] = new JsonObject
                {
                    ["instanceGroupManagers"] = new JsonArray([.. zone.Select(g => g.Json(now, LinkBase, project, Busy(g.Zone, g.Name)))]),
                };
            }

            var result = new JsonObject { ["kind"] = "compute#instanceGroupManagerAggregatedList", ["items"] = items };
            if (next is not null)
            {
                result["nextPageToken"] = next;
            }

            return result;
        }
    }

    public JsonNode GetOperation(string? zone, string name)
    {
        lock (gate)
        {
            var now = Advance();
            return FindOperation(zone, name).Json(now, LinkBase, project);
        }
    }

    /// <summary>Returns when the operation is DONE or after the wait limit, whichever is first (the real API waits up to 2 minutes).</summary>
    public async Task<JsonNode> WaitOperationAsync(string? zone, string name, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + timings.WaitLimit;
        while (true)
        {
            lock (gate)
            {
                var now = Advance();
                var operation = FindOperation(zone, name);
                if (operation.IsDone(now) || now >= deadline)
                {
                    return operation.Json(now, LinkBase, project);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    private Op Start(string? zone, string type, string target, DateTimeOffset now, Action<DateTimeOffset>? effect)
    {
        var name = $"operation-{now.ToUnixTimeMilliseconds()}-{Id()}";
        var failure = failNextOperation;
        failNextOperation = null;
        var operation = new Op(name, zone, type, target, now, now + timings.Pending, now + timings.Pending + timings.Running, failure is null ? effect : null, failure);
        operations[name] = operation;
        return operation;
    }

    /// <summary>Lets every operation whose time has come take effect, in the order they finish, and drops instances that have stopped.</summary>
    private DateTimeOffset Advance()
    {
        var now = clock.GetUtcNow();
        foreach (var operation in operations.Values.Where(o => !o.Applied && o.IsDone(now)).OrderBy(o => o.DoneAt).ToList())
        {
            operation.Applied = true;
            operation.Effect?.Invoke(operation.DoneAt);
        }

        foreach (var group in groups.Values)
        {
            group.Instances.RemoveAll(i => i.GoneAt <= now);
        }

        return now;
    }

    /// <summary>Starts instances up to the target size, or starts stopping the newest beyond it.</summary>
    private void Reconcile(Group group, DateTimeOffset at)
    {
        var live = group.Instances.Where(i => i.GoneAt is null).OrderBy(i => i.Name, StringComparer.Ordinal).ToList();
        for (var i = live.Count; i < group.TargetSize; i++)
        {
            group.Instances.Add(new Instance(group.NextInstanceName(), at + timings.InstanceStart, group.Template));
        }

        foreach (var instance in live.Skip(group.TargetSize))
        {
            instance.GoneAt = at + timings.InstanceStop;
        }
    }

    private Group Find(string zone, string name) =>
        groups.TryGetValue((zone, name), out var group)
            ? group
            : throw FakeError.NotFound($"The resource 'projects/{project}/zones/{zone}/instanceGroupManagers/{name}' was not found");

    private Op FindOperation(string? zone, string name) =>
        operations.TryGetValue(name, out var operation) && operation.Zone == zone
            ? operation
            : throw FakeError.NotFound($"The resource 'projects/{project}/{(zone is null ? "global" : $"zones/{zone}")}/operations/{name}' was not found");

    private bool Busy(string zone, string name) =>
        operations.Values.Any(o => !o.Applied && o.Zone == zone && o.Target.EndsWith($"/zones/{zone}/instanceGroupManagers/{name}", StringComparison.Ordinal));

    private FakeGroup Snapshot(Group group, DateTimeOffset now) =>
        new(group.Zone, group.Name, group.Description, group.Template[(group.Template.LastIndexOf('/') + 1)..], group.TargetSize, group.Instances.Count,
            group.IsStable(now, Busy(group.Zone, group.Name)));

    private string TemplateLink(string name) => $"{LinkBase}projects/{project}/global/instanceTemplates/{name}";

    private string Id() => (++ids).ToString(CultureInfo.InvariantCulture);

    private static (List<T> Page, string? Next) Page<T>(List<T> all, int pageSize, string? pageToken)
    {
        var start = 0;
        if (!string.IsNullOrEmpty(pageToken) && (!int.TryParse(pageToken, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > all.Count))
        {
            throw FakeError.Invalid($"Invalid value for field 'pageToken': '{pageToken}'");
        }

        var end = Math.Min(all.Count, start + pageSize);
        return (all.GetRange(start, end - start), end < all.Count ? end.ToString(CultureInfo.InvariantCulture) : null);
    }

    private static void CheckName(string? name, string field)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw FakeError.Invalid($"Invalid value for field '{field}': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?)'");
        }
    }

    [GeneratedRegex("^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamePattern();

    private sealed class Group(string zone, string name, string? description, string template, string baseInstanceName, int targetSize, string id)
    {
        private int counter;

        public string Zone { get; } = zone;

        public string Name { get; } = name;

        public string? Description { get; } = description;

        public string Template { get; set; } = template;

        public int TargetSize { get; set; } = targetSize;

        public List<Instance> Instances { get; } = [];

        public string NextInstanceName() => $"{baseInstanceName}-{(++counter).ToString("x4", CultureInfo.InvariantCulture)}";

        public string Link(string linkBase, string project) => $"{linkBase}projects/{project}/zones/{Zone}/instanceGroupManagers/{Name}";

        public bool IsStable(DateTimeOffset now, bool busy) =>
            !busy && Instances.Count == TargetSize && Instances.TrueForAll(i => i.ReadyAt <= now && i.GoneAt is null);

        public JsonObject Json(DateTimeOffset now, string linkBase, string project, bool busy)
        {
            var json = new JsonObject
            {
                ["kind"] = "compute#instanceGroupManager",
                ["id"] = id,
                ["name"] = Name,
                ["zone"] = $"{linkBase}projects/{project}/zones/{Zone}",
                ["instanceTemplate"] = Template,
                ["versions"] = new JsonArray(new JsonObject { ["instanceTemplate"] = Template, ["targetSize"] = new JsonObject { ["calculated"] = TargetSize } }),
                ["instanceGroup"] = $"{linkBase}projects/{project}/zones/{Zone}/instanceGroups/{Name}",
                ["baseInstanceName"] = baseInstanceName,
                ["fingerprint"] = Convert.ToBase64String(BitConverter.GetBytes(HashCode.Combine(Template, TargetSize))),
                ["currentActions"] = new JsonObject
                {
                    ["none"] = Instances.Count(i => i.ReadyAt <= now && i.GoneAt is null),
                    ["creating"] = Instances.Count(i => i.ReadyAt > now && i.GoneAt is null),
                    ["deleting"] = Instances.Count(i => i.GoneAt is not null),
                },
                ["targetSize"] = TargetSize,
                ["selfLink"] = Link(linkBase, project),
                ["status"] = new JsonObject { ["isStable"] = IsStable(now, busy), ["versionTarget"] = new JsonObject { ["isReached"] = true } },
                ["listManagedInstancesResults"] = "PAGINATED",
            };
            if (Description is not null)
            {
                json["description"] = Description;
            }

            return json;
        }
    }

    private sealed class Instance(string name, DateTimeOffset readyAt, string template)
    {
        public string Name { get; } = name;

        public DateTimeOffset ReadyAt { get; } = readyAt;

        public DateTimeOffset? GoneAt { get; set; }

        public JsonObject Json(DateTimeOffset now, string linkBase, string project, string zone) => new()
        {
            ["instance"] = $"{linkBase}projects/{project}/zones/{zone}/instances/{Name}",
            ["instanceStatus"] = GoneAt is not null ? "STOPPING" : ReadyAt > now ? "STAGING" : "RUNNING",
            ["currentAction"] = GoneAt is not null ? "DELETING" : ReadyAt > now ? "CREATING" : "NONE",
            ["version"] = new JsonObject { ["instanceTemplate"] = template },
        };
    }

    private sealed class Op(string name, string? zone, string type, string target, DateTimeOffset insertedAt, DateTimeOffset startAt, DateTimeOffset doneAt,
        Action<DateTimeOffset>? effect, (string Code, string Message)? failure)
    {
        public string? Zone { get; } = zone;

        public string Target { get; } = target;

        public DateTimeOffset DoneAt { get; } = doneAt;

        public Action<DateTimeOffset>? Effect { get; } = effect;

        public bool Applied { get; set; }

        public bool IsDone(DateTimeOffset now) => now >= DoneAt;

        public JsonObject Json(DateTimeOffset now, string linkBase, string project)
        {
            var status = now >= DoneAt ? "DONE" : now >= startAt ? "RUNNING" : "PENDING";
            var scope = Zone is null ? "global" : $"zones/{Zone}";
            var json = new JsonObject
            {
                ["kind"] = "compute#operation",
                ["id"] = name[(name.LastIndexOf('-') + 1)..],
                ["name"] = name,
                ["operationType"] = type,
                ["targetLink"] = Target,
                ["status"] = status,
                ["user"] = "fleetctl@fleet-test-project.iam.gserviceaccount.com",
                ["progress"] = status == "DONE" ? 100 : 0,
                ["insertTime"] = insertedAt.ToString("O", CultureInfo.InvariantCulture),
                ["selfLink"] = $"{linkBase}projects/{project}/{scope}/operations/{name}",
            };
            if (Zone is not null)
            {
                json["zone"] = $"{linkBase}projects/{project}/zones/{Zone}";
            }

            if (status != "PENDING")
            {
                json["startTime"] = startAt.ToString("O", CultureInfo.InvariantCulture);
            }

            if (status == "DONE")
            {
                json["endTime"] = DoneAt.ToString("O", CultureInfo.InvariantCulture);
                if (failure is { } error)
                {
                    json["error"] = new JsonObject { ["errors"] = new JsonArray(new JsonObject { ["code"] = error.Code, ["message"] = error.Message }) };
                    json["httpErrorStatusCode"] = 403;
                    json["httpErrorMessage"] = "FORBIDDEN";
                }
            }

            return json;
        }
    }
}
