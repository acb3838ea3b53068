using System.Collections.Immutable;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;

namespace Fleet.Engine.Providers;

/// <summary>
/// A backend fleetctl reconciles (physical machines, GCP instance groups, DNS zones…). The engine
/// knows providers only through this interface; they are registered by the CLI, so a new provider
/// needs no engine change. Reading and applying do I/O; validating, planning and checking guards
/// are pure functions of their arguments. Apply and <c>fleetctl worker</c> run every change through
/// <see cref="ProviderJobHandler"/>, which picks the provider by the change's <c>provider</c>.
/// </summary>
public interface IProvider
{
    /// <summary>The name in plan files (<c>provider</c> of a change) and guard keys: <c>physical</c>, <c>gcp</c>, <c>dns</c>.</summary>
    string Name { get; }

    /// <summary>What the provider serves and may emit; desired state nobody serves is a validation error.</summary>
    ProviderCapabilities Capabilities { get; }

    /// <summary>
    /// Problems with the part of the desired state this provider serves (e.g. a physical pool without
    /// a site, GCP settings on a physical pool), with their source locations. Pure.
    /// </summary>
    ImmutableArray<Diagnostic> Validate(DesiredState desired);

    /// <summary>Reads the provider's actual state into an immutable snapshot that planning and guard checks use.</summary>
    Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken);

    /// <summary>
    /// The changes that bring the actual state to the desired one. Pure and deterministic: the same
    /// request gives the same changes in the same order.
    /// </summary>
    ProviderPlan Plan(ProviderPlanRequest request);

    /// <summary>
    /// The guards (as this provider returned them in <see cref="ProviderPlan.Guards"/>, without the
    /// provider prefix) that no longer hold in <paramref name="actual"/>, each with a message saying
    /// what changed. Pure; apply uses it to refuse a stale plan.
    /// </summary>
    ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual);

    /// <summary>
    /// Applies one change of a plan. Idempotent: applying a change that already took effect succeeds.
    /// A <see cref="ChangeStatus.Failed"/> result (or an exception) is a failed attempt, retried with
    /// backoff by whichever process runs the change's job.
    /// </summary>
    Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Called once <paramref name="change"/> has failed every attempt of its retry budget
    /// (<paramref name="error"/> is the last failure). The provider may retire what failed and return
    /// a change that takes over, which runs as a new job with a budget of its own: the physical
    /// provider marks the machine broken and returns an install of a replacement it has claimed. The
    /// default takes nothing over: the change fails.
    /// </summary>
    Task<PlannedChange?> GiveUpAsync(PlannedChange change, ApplyContext context, string error, CancellationToken cancellationToken) =>
        Task.FromResult<PlannedChange?>(null);
}

/// <summary>
/// What a provider serves: the pool backends (<c>backend:</c> values, e.g. <c>physical</c>) and
/// the actions its plans may contain, each with its kind and wording. The planner rejects pools of a
/// backend no provider serves, and changes of an action their provider does not declare.
/// </summary>
public sealed record ProviderCapabilities(ImmutableArray<string> PoolBackends, ImmutableArray<ActionDescriptor> Actions)
{
    public bool ServesBackend(string backend) => PoolBackends.Contains(backend, StringComparer.Ordinal);
}

/// <summary>A provider's actual state, read once per plan. Providers derive their own immutable snapshot type.</summary>
public abstract record ProviderSnapshot;
