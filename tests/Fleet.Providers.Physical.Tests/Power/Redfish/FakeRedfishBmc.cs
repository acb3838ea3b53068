using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Fleet.Providers.Physical.Tests.Power.Redfish;

/// <summary>A request as the fake BMC received it, for tests to assert on.</summary>
internal sealed record RecordedRequest(string Method, string Path, JsonObject? Body, string? IfMatch, bool Authorized, DateTimeOffset At);

/// <summary>
/// One Redfish BMC managing one ComputerSystem, written from DSP0266 and the DMTF schemas
/// (ServiceRoot, SessionService/Session, ComputerSystem, ActionInfo, TaskService/Task):
/// <list type="bullet">
/// <item>the service root is readable without credentials; everything else needs an
/// <c>X-Auth-Token</c> of a live session or HTTP Basic credentials, else 401 with a Redfish error body;</item>
/// <item>POST to Sessions with UserName/Password answers 201 with <c>X-Auth-Token</c> and the
/// session's <c>Location</c>; DELETE of the session ends it;</item>
/// <item>the system carries an ETag (header and <c>@odata.etag</c>) that changes with it; a PATCH whose
/// <c>If-Match</c> is stale gets 412;</item>
/// <item><c>#ComputerSystem.Reset</c> accepts only its allowable ResetType values (400
/// <c>ActionParameterNotSupported</c> otherwise), either inline or through an ActionInfo resource;</item>
/// <item>power changes may take time (PoweringOn/PoweringOff), optionally as a Task whose monitor
/// answers 202 with Retry-After until it is done;</item>
/// <item>a boot consumes a <c>Once</c> boot override, as the schema says.</item>
/// </list>
/// Everything it was told is recorded: requests, resets, boots.
/// </summary>
internal sealed class FakeRedfishBmc(string serial)
{
    private const string Root = "/redfish/v1";
    private const string SessionsPath = Root + "/SessionService/Sessions";
    private const string SystemsPath = Root + "/Systems";
    private const string SystemPath = SystemsPath + "/1";
    private const string ResetTarget = SystemPath + "/Actions/ComputerSystem.Reset";
    private const string ResetInfo = SystemPath + "/ResetActionInfo";
    private const string TasksPath = Root + "/TaskService/Tasks";
    private const string MonitorsPath = Root + "/TaskService/TaskMonitors";
    private const string Registry = "Base.1.16";

    private readonly Lock gate = new();
    private readonly Dictionary<string, string> sessions = new(StringComparer.Ordinal); // token → session id
    private readonly Dictionary<string, FakeTask> tasks = new(StringComparer.Ordinal);
    private readonly List<RecordedRequest> requests = [];
    private readonly List<string> resets = [];
    private readonly List<string> boots = [];
    private int nextId;
    private int etag = 1;
    private string powerState = "Off";
    private Transition? transition;

    public string Serial => serial;

    public string Username { get; set; } = "fleet";

    public string Password { get; set; } = "s3cret-Pa55";

    /// <summary>The ResetType values the system allows.</summary>
    public IReadOnlyList<string> ResetTypes { get; set; } = ["On", "ForceOff", "GracefulShutdown", "ForceRestart", "GracefulRestart", "PowerCycle", "Nmi"];

    /// <summary>Lists the allowed ResetType values through <c>@Redfish.ActionInfo</c> instead of inline.</summary>
    public bool ResetTypesInActionInfo { get; set; }

    /// <summary>How long a power change takes; while it runs the system reports PoweringOn or PoweringOff.</summary>
    public TimeSpan PowerDelay { get; set; }

    /// <summary>Resets answer 202 with a task monitor instead of 204.</summary>
    public bool ResetsAsTasks { get; set; }

    /// <summary>When set (<c>https://host:port</c>), task monitors are announced as absolute links to that server: a hostile or confused BMC.</summary>
    public string? TaskMonitorServer { get; set; }

    /// <summary>The task monitor's Retry-After, in seconds.</summary>
    public int RetryAfterSeconds { get; set; }

    /// <summary>The next reset task ends in Exception and changes nothing.</summary>
    public bool FailNextTask { get; set; }

    /// <summary>False: a service without a SessionService, which takes HTTP Basic credentials on every request.</summary>
    public bool HasSessionService { get; set; } = true;

    /// <summary>The account has the ReadOnly role: it may log in and read, not reset or configure.</summary>
    public bool ReadOnlyAccount { get; set; }

    /// <summary>How many members the Systems collection has (a blade chassis has several).</summary>
    public int SystemCount { get; set; } = 1;

    /// <summary>Runs before each request is handled, under the BMC's lock: tests change the BMC mid-conversation here.</summary>
    public Action<FakeRedfishBmc, RecordedRequest>? BeforeRequest { get; set; }

    public string PowerState
    {
        get
        {
            lock (gate)
            {
                Advance();
                return powerState;
            }
        }

        set
        {
            lock (gate)
            {
                powerState = value;
                etag++;
            }
        }
    }

    public string BootSourceOverrideTarget { get; private set; } = "None";

    public string BootSourceOverrideEnabled { get; private set; } = "Disabled";

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>The ResetType of every reset the BMC accepted, in order.</summary>
    public IReadOnlyList<string> Resets
    {
        get
        {
            lock (gate)
            {
                return [.. resets];
            }
        }
    }

    /// <summary>What the system booted from each time it started: <c>Pxe</c>, or <c>Hdd</c> without an override.</summary>
    public IReadOnlyList<string> Boots
    {
        get
        {
            lock (gate)
            {
                return [.. boots];
            }
        }
    }

    /// <summary>How many sessions are open now.</summary>
    public int OpenSessions
    {
        get
        {
            lock (gate)
            {
                return sessions.Count;
            }
        }
    }

    /// <summary>Ends every session, as a BMC does when its session timeout passes or it restarts.</summary>
    public void ExpireSessions()
    {
        lock (gate)
        {
            sessions.Clear();
        }
    }

    /// <summary>Someone else changed the system (its ETag moves on).</summary>
    public void Touch()
    {
        lock (gate)
        {
            etag++;
        }
    }

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value!.TrimEnd('/');
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        JsonObject? body = null;
        if (text.Length > 0 && (body = Parse(text)) is null)
        {
            await WriteAsync(context, Error(400, "MalformedJSON", "The request body submitted was malformed JSON and could not be parsed by the receiving service.", "Ensure that the request body is valid JSON and resubmit the request."));
            return;
        }

        Reply reply;
        lock (gate)
        {
            Advance();
            var recorded = new RecordedRequest(request.Method, path, body, request.Headers.IfMatch.FirstOrDefault(), IsAuthorized(request), DateTimeOffset.UtcNow);
            requests.Add(recorded);
            BeforeRequest?.Invoke(this, recorded);
            reply = Route(request.Method, path, body, recorded.IfMatch, IsAuthorized(request));
        }

        await WriteAsync(context, reply);
    }

    private Reply Route(string method, string path, JsonObject? body, string? ifMatch, bool authorized)
    {
        if (path == Root)
        {
            return method == "GET" ? Ok(ServiceRoot()) : NotAllowed();
        }

        if (path == SessionsPath && method == "POST" && HasSessionService)
        {
            return Login(body);
        }

        if (!authorized)
        {
            return Error(401, "NoValidSession", "There is no valid session established with the implementation.", "Establish a session before attempting any operations.")
                with { Headers = [("WWW-Authenticate", "Basic realm=\"Redfish\"")] };
        }

        if (ReadOnlyAccount && (method == "PATCH" || (method == "POST" && path == ResetTarget)))
        {
            return Error(403, "InsufficientPrivilege", "There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.", "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed.");
        }

        return (method, path) switch
        {
            ("GET", Root + "/SessionService") when HasSessionService => Ok(new JsonObject
            {
                ["@odata.id"] = Root + "/SessionService", ["@odata.type"] = "#SessionService.v1_1_9.SessionService",
                ["Id"] = "SessionService", ["Name"] = "Session Service", ["ServiceEnabled"] = true, ["SessionTimeout"] = 600,
                ["Sessions"] = Link(SessionsPath),
            }),
            ("GET", SessionsPath) => Ok(Collection(SessionsPath, "#SessionCollection.SessionCollection", "Session Collection", sessions.Values.Order(StringComparer.Ordinal).Select(id => $"{SessionsPath}/{id}"))),
            (_, _) when path.StartsWith(SessionsPath + "/", StringComparison.Ordinal) => Session(method, path),
            ("GET", SystemsPath) => Ok(Collection(SystemsPath, "#ComputerSystemCollection.ComputerSystemCollection", "Computer System Collection",
                Enumerable.Range(1, SystemCount).Select(n => string.Create(CultureInfo.InvariantCulture, $"{SystemsPath}/{n}")))),
            ("GET", SystemPath) => Ok(System()) with { Headers = [("ETag", ETag)] },
            ("PATCH", SystemPath) => PatchSystem(body, ifMatch),
            ("POST", ResetTarget) => Reset(body),
            ("GET", ResetInfo) when ResetTypesInActionInfo => Ok(new JsonObject
            {
                ["@odata.id"] = ResetInfo, ["@odata.type"] = "#ActionInfo.v1_3_0.ActionInfo", ["Id"] = "ResetActionInfo", ["Name"] = "Reset Action Info",
                ["Parameters"] = new JsonArray(new JsonObject
                {
                    ["Name"] = "ResetType", ["Required"] = true, ["DataType"] = "String", ["AllowableValues"] = Strings(ResetTypes),
                }),
            }),
            ("GET", _) when path.StartsWith(TasksPath + "/", StringComparison.Ordinal) && tasks.TryGetValue(path[(TasksPath.Length + 1)..], out var task) => Ok(task.Resource()),
            ("GET", _) when path.StartsWith(MonitorsPath + "/", StringComparison.Ordinal) && tasks.TryGetValue(path[(MonitorsPath.Length + 1)..], out var monitored) => Monitor(monitored),
            ("GET", _) => Error(404, "ResourceMissingAtURI", $"The resource at the URI '{path}' was not found.", "Place a valid resource at the URI or correct the URI and resubmit the request."),
            _ => NotAllowed(),
        };
    }

    private JsonObject ServiceRoot()
    {
        var root = new JsonObject
        {
            ["@odata.id"] = Root + "/", ["@odata.type"] = "#ServiceRoot.v1_16_0.ServiceRoot", ["Id"] = "RootService", ["Name"] = "Root Service",
            ["RedfishVersion"] = "1.18.0", ["UUID"] = "92384634-2938-2342-8820-489239905423",
            ["Systems"] = Link(SystemsPath), ["Tasks"] = Link(Root + "/TaskService"), ["Links"] = new JsonObject(),
        };
        if (HasSessionService)
        {
            root["SessionService"] = Link(Root + "/SessionService");
            root["Links"]!["Sessions"] = Link(SessionsPath);
        }

        return root;
    }

    private Reply Login(JsonObject? body)
    {
        var user = Text(body?["UserName"]);
        var password = Text(body?["Password"]);
        if (user is null || password is null)
        {
            return Error(400, "PropertyMissing", $"The property '{(user is null ? "UserName" : "Password")}' is a required property and must be included in the request.", "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed.");
        }

        if (user != Username || password != Password)
        {
            return Error(401, "ResourceAtUriUnauthorized", $"While accessing the resource at '{SessionsPath}', the service received an authorization error 'invalid user name or password'.", "Ensure that the appropriate access is provided for the service in order for it to access the URI.");
        }

        var id = NextId();
        var token = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
        sessions[token] = id;
        return new Reply(201, new JsonObject
        {
            ["@odata.id"] = $"{SessionsPath}/{id}", ["@odata.type"] = "#Session.v1_7_0.Session", ["Id"] = id, ["Name"] = "User Session", ["UserName"] = user,
        }, [("X-Auth-Token", token), ("Location", $"{SessionsPath}/{id}")]);
    }

    private Reply Session(string method, string path)
    {
        var id = path[(SessionsPath.Length + 1)..];
        var token = sessions.FirstOrDefault(s => s.Value == id).Key;
        if (token is null)
        {
            return Error(404, "ResourceMissingAtURI", $"The resource at the URI '{path}' was not found.", "Place a valid resource at the URI or correct the URI and resubmit the request.");
        }

        switch (method)
        {
            case "DELETE":
                sessions.Remove(token);
                return new Reply(204, null, []);
            case "GET":
                return Ok(new JsonObject { ["@odata.id"] = path, ["@odata.type"] = "#Session.v1_7_0.Session", ["Id"] = id, ["Name"] = "User Session", ["UserName"] = Username });
            default:
                return NotAllowed();
        }
    }

    private JsonObject System()
    {
        var reset = new JsonObject { ["target"] = ResetTarget };
        if (ResetTypesInActionInfo)
        {
            reset["@Redfish.ActionInfo"] = ResetInfo;
        }
        else
        {
            reset["ResetType@Redfish.AllowableValues"] = Strings(ResetTypes);
        }

        return new JsonObject
        {
            ["@odata.id"] = SystemPath, ["@odata.type"] = "#ComputerSystem.v1_22_0.ComputerSystem", ["@odata.etag"] = ETag,
            ["Id"] = "1", ["Name"] = "System", ["SystemType"] = "Physical", ["SerialNumber"] = serial, ["PowerState"] = powerState,
            ["Status"] = new JsonObject { ["State"] = "Enabled", ["Health"] = "OK" },
            ["Boot"] = new JsonObject
            {
                ["BootSourceOverrideEnabled"] = BootSourceOverrideEnabled,
                ["BootSourceOverrideTarget"] = BootSourceOverrideTarget,
                ["BootSourceOverrideTarget@Redfish.AllowableValues"] = Strings(["None", "Pxe", "Hdd", "Cd", "Usb", "BiosSetup", "UefiShell"]),
                ["BootSourceOverrideMode"] = "UEFI",
            },
            ["Actions"] = new JsonObject { ["#ComputerSystem.Reset"] = reset },
        };
    }

    private Reply PatchSystem(JsonObject? body, string? ifMatch)
    {
        if (ifMatch is not null && ifMatch != "*" && ifMatch != ETag)
        {
            return Error(412, "PreconditionFailed", "The ETag supplied did not match the ETag required to change this resource.", "Try the operation again using the appropriate ETag.");
        }

        if (body is null || body.Count == 0)
        {
            return Error(400, "EmptyJSON", "The request body submitted contained an empty JSON object and the service is unable to process it.", "Add properties in the JSON object and resubmit the request.");
        }

        foreach (var (name, _) in body)
        {
            if (name != "Boot")
            {
                return Error(400, "PropertyNotWritable", $"The property '{name}' is a read-only property and cannot be assigned a value.", "Remove the property from the request body and resubmit the request if the operation failed.");
            }
        }

        var boot = body["Boot"] as JsonObject ?? [];
        var target = Text(boot["BootSourceOverrideTarget"]);
        var enabled = Text(boot["BootSourceOverrideEnabled"]);
        string[] targets = ["None", "Pxe", "Hdd", "Cd", "Usb", "BiosSetup", "UefiShell"];
        if (target is not null && !targets.Contains(target))
        {
            return Error(400, "PropertyValueNotInList", $"The value '{target}' for the property BootSourceOverrideTarget is not in the list of acceptable values.", "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.");
        }

        if (enabled is not null && enabled is not ("Disabled" or "Once" or "Continuous"))
        {
            return Error(400, "PropertyValueNotInList", $"The value '{enabled}' for the property BootSourceOverrideEnabled is not in the list of acceptable values.", "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.");
        }

        BootSourceOverrideTarget = target ?? BootSourceOverrideTarget;
        BootSourceOverrideEnabled = enabled ?? BootSourceOverrideEnabled;
        etag++;
        return Ok(System()) with { Headers = [("ETag", ETag)] };
    }

    private Reply Reset(JsonObject? body)
    {
        var type = Text(body?["ResetType"]);
        if (type is null)
        {
            return Error(400, "ActionParameterMissing", "The action ComputerSystem.Reset requires the parameter ResetType to be present in the request body.", "Supply the action with the required parameter in the request body when the request is resubmitted.");
        }

        if (!ResetTypes.Contains(type))
        {
            return Error(400, "ActionParameterNotSupported", $"The parameter {type} for the action ComputerSystem.Reset is not supported on the target resource.", "Remove the parameter supplied and resubmit the request if the operation failed.");
        }

        var off = powerState is "Off" or "PoweringOff";
        if (off && type is "ForceRestart" or "GracefulRestart" or "PowerCycle")
        {
            return Error(409, "ResourceInStandby", "The request could not be performed because the resource is in standby.", "Ensure that the resource is in the correct power state and resubmit the request.");
        }

        resets.Add(type);
        var (goal, boots) = type switch
        {
            "On" => ("On", off),
            "ForceOff" or "GracefulShutdown" => ("Off", false),
            "Nmi" => (powerState, false),
            _ => ("On", true), // a restart
        };

        var failing = ResetsAsTasks && FailNextTask;
        FailNextTask = false;
        if (!failing)
        {
            transition = new Transition(goal, boots, DateTimeOffset.UtcNow + PowerDelay);
            if (PowerDelay > TimeSpan.Zero && goal != powerState)
            {
                powerState = goal == "On" ? "PoweringOn" : "PoweringOff";
                etag++;
            }

            Advance();
        }

        if (!ResetsAsTasks)
        {
            return new Reply(204, null, []);
        }

        var id = NextId();
        var task = new FakeTask(id, $"{TasksPath}/{id}", $"{MonitorsPath}/{id}", DateTimeOffset.UtcNow + PowerDelay, failing);
        tasks[id] = task;
        return new Reply(202, task.Resource(), [("Location", TaskMonitorServer + task.Monitor), ("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture))]);
    }

    /// <summary>202 with the running task and Retry-After until it is done; then 200 with the finished task.</summary>
    private Reply Monitor(FakeTask task) => task.Done
        ? Ok(task.Resource())
        : new Reply(202, task.Resource(), [("Location", task.Monitor), ("Retry-After", RetryAfterSeconds.ToString(CultureInfo.InvariantCulture))]);

    /// <summary>Finishes a power change whose time has come; a boot takes the one-time override with it.</summary>
    private void Advance()
    {
        if (transition is not { } pending || DateTimeOffset.UtcNow < pending.At)
        {
            return;
        }

        transition = null;
        powerState = pending.Goal;
        if (pending.Boots)
        {
            boots.Add(BootSourceOverrideEnabled is "Once" or "Continuous" && BootSourceOverrideTarget != "None" ? BootSourceOverrideTarget : "Hdd");
            if (BootSourceOverrideEnabled == "Once")
            {
                (BootSourceOverrideEnabled, BootSourceOverrideTarget) = ("Disabled", "None");
            }
        }

        etag++;
    }

    private bool IsAuthorized(HttpRequest request)
    {
        if (request.Headers["X-Auth-Token"].FirstOrDefault() is { } token)
        {
            return sessions.ContainsKey(token);
        }

        var authorization = request.Headers.Authorization.FirstOrDefault();
        if (authorization?.StartsWith("Basic ", StringComparison.Ordinal) != true)
        {
            return false;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..])) == $"{Username}:{Password}";
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private string ETag => string.Create(CultureInfo.InvariantCulture, $"W/\"{etag}\"");

    private string NextId() => (++nextId).ToString(CultureInfo.InvariantCulture);

    private static Reply Ok(JsonObject body) => new(200, body, []);

    private static Reply NotAllowed() =>
        Error(405, "OperationNotAllowed", "The HTTP method is not allowed on this resource.", "None.");

    /// <summary>A Redfish error response: <c>error.code</c>, <c>error.message</c> and one Base registry message in <c>@Message.ExtendedInfo</c>.</summary>
    private static Reply Error(int status, string messageId, string message, string resolution) => new(status, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = "Base.1.16.GeneralError",
            ["message"] = "A general error has occurred. See ExtendedInfo for more information.",
            ["@Message.ExtendedInfo"] = new JsonArray(new JsonObject
            {
                ["@odata.type"] = "#Message.v1_1_1.Message", ["MessageId"] = $"{Registry}.{messageId}", ["Message"] = message,
                ["Severity"] = status >= 500 ? "Critical" : "Warning", ["MessageSeverity"] = status >= 500 ? "Critical" : "Warning", ["Resolution"] = resolution,
            }),
        },
    }, []);

    private static JsonObject Collection(string path, string type, string name, IEnumerable<string> members)
    {
        var array = new JsonArray([.. members.Select(m => (JsonNode)Link(m))]);
        return new JsonObject { ["@odata.id"] = path, ["@odata.type"] = type, ["Name"] = name, ["Members@odata.count"] = array.Count, ["Members"] = array };
    }

    private static JsonObject Link(string path) => new() { ["@odata.id"] = path };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static JsonObject? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static async Task WriteAsync(HttpContext context, Reply reply)
    {
        var response = context.Response;
        response.StatusCode = reply.Status;
        response.Headers["OData-Version"] = "4.0";
        foreach (var (name, value) in reply.Headers)
        {
            response.Headers[name] = value;
        }

        if (reply.Body is not null)
        {
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(reply.Body.ToJsonString(), context.RequestAborted);
        }
    }

    private sealed record Reply(int Status, JsonObject? Body, IReadOnlyList<(string Name, string Value)> Headers);

    private sealed record Transition(string Goal, bool Boots, DateTimeOffset At);

    private sealed record FakeTask(string Id, string Path, string Monitor, DateTimeOffset EndsAt, bool Fails)
    {
        public bool Done => DateTimeOffset.UtcNow >= EndsAt;

        public JsonObject Resource() => new()
        {
            ["@odata.id"] = Path, ["@odata.type"] = "#Task.v1_7_3.Task", ["Id"] = Id, ["Name"] = "Reset task", ["TaskMonitor"] = Monitor,
            ["TaskState"] = !Done ? "Running" : Fails ? "Exception" : "Completed",
            ["TaskStatus"] = Done && Fails ? "Critical" : "OK",
            ["PercentComplete"] = Done ? 100 : 50,
            ["Messages"] = Done && Fails
                ? new JsonArray(new JsonObject { ["MessageId"] = $"{Registry}.InternalError", ["Message"] = "The request failed due to an internal service error.  The service is still operational.", ["Resolution"] = "Resubmit the request.  If the problem persists, consider resetting the service." })
                : [],
        };
    }
}
