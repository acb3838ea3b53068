using System.Text.Json;
using System.Text.Json.Serialization;

namespace Fleet.Providers.Gcp.Compute;

// The parts of the Compute Engine v1 resources fleetctl reads and writes, spelled as the REST API
// spells them (camelCase JSON). Fields the API returns that fleetctl does not use are ignored.

/// <summary>An instance template (global): what every instance of a group is created from.</summary>
public sealed record InstanceTemplate(string Name, string? Description, InstanceProperties Properties)
{
    public string? SelfLink { get; init; }
}

public sealed record InstanceProperties(
    string MachineType,
    IReadOnlyDictionary<string, string>? Labels,
    IReadOnlyList<AttachedDisk> Disks,
    IReadOnlyList<NetworkInterface> NetworkInterfaces);

public sealed record AttachedDisk(bool Boot, bool AutoDelete, AttachedDiskInitializeParams InitializeParams);

public sealed record AttachedDiskInitializeParams(string SourceImage);

public sealed record NetworkInterface(string Network);

/// <summary>A zonal managed instance group: <see cref="TargetSize"/> instances from <see cref="InstanceTemplate"/>.</summary>
public sealed record InstanceGroupManager(string Name, string? Description, string InstanceTemplate, string BaseInstanceName, int TargetSize)
{
    /// <summary>The zone's URL, as the API returns it.</summary>
    public string? Zone { get; init; }

    public InstanceGroupManagerStatus? Status { get; init; }

    public string? SelfLink { get; init; }
}

/// <summary><see cref="IsStable"/>: no instance is being created, deleted or changed, and none is scheduled to be.</summary>
public sealed record InstanceGroupManagerStatus(bool IsStable);

/// <summary>One instance of a managed group and what the group is doing to it (<c>NONE</c> when nothing).</summary>
public sealed record ManagedInstance(string Instance, string? InstanceStatus, string? CurrentAction);

/// <summary>An asynchronous change: <c>PENDING</c>, <c>RUNNING</c>, then <c>DONE</c>, with <see cref="Error"/> when it failed.</summary>
public sealed record Operation(string Name, string Status)
{
    public string? OperationType { get; init; }

    public string? TargetLink { get; init; }

    /// <summary>The zone's URL for a zonal operation; null for a global one.</summary>
    public string? Zone { get; init; }

    public OperationError? Error { get; init; }

    public int? HttpErrorStatusCode { get; init; }

    public string? HttpErrorMessage { get; init; }

    public const string Done = "DONE";
}

public sealed record OperationError(IReadOnlyList<OperationErrorItem> Errors);

public sealed record OperationErrorItem(string Code, string? Location, string Message);

/// <summary>The API's error body: <c>{"error":{"code","message","errors":[{"domain","reason","message"}]}}</c>.</summary>
public sealed record ErrorResponse(ErrorBody Error);

public sealed record ErrorBody(int Code, string Message, IReadOnlyList<ErrorItem>? Errors)
{
    public string? Status { get; init; }
}

public sealed record ErrorItem(string? Domain, string? Reason, string? Message);

internal sealed record ManagedInstancesPage(IReadOnlyList<ManagedInstance>? ManagedInstances, string? NextPageToken);

internal sealed record GroupsScopedList(IReadOnlyList<InstanceGroupManager>? InstanceGroupManagers);

internal sealed record AggregatedGroupsPage(IReadOnlyDictionary<string, GroupsScopedList>? Items, string? NextPageToken);

internal sealed record SetInstanceTemplateRequest(string InstanceTemplate);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InstanceTemplate))]
[JsonSerializable(typeof(InstanceGroupManager))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ManagedInstancesPage))]
[JsonSerializable(typeof(AggregatedGroupsPage))]
[JsonSerializable(typeof(SetInstanceTemplateRequest))]
internal sealed partial class ComputeJson : JsonSerializerContext;
