using System.Globalization;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Providers.Gcp.Compute;
using Fleet.Providers.Gcp.Planning;
using P = Fleet.Providers.Gcp.Planning.GcpPlanner.Parameters;

namespace Fleet.Providers.Gcp;

public sealed partial class GcpProvider
{
    /// <summary>
    /// Applies one change from its parameters alone, idempotently: what already took effect is not
    /// done again (<see cref="ChangeStatus.AlreadyApplied"/>). Each change waits for its operations, then
    /// for the group to be stable, within <see cref="GcpApplyOptions.StableTimeout"/>; a timeout or an
    /// API error is a failed attempt, which the job runner retries.
    /// </summary>
    public async Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken)
    {
        if (connection is null)
        {
            return ChangeResult.FailedPermanently($"change {change.Id} ({change.Address}): the fleet has no gcp section to apply GCP changes with");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.StableTimeout);
        GroupApply? apply = null;
        try
        {
            apply = new GroupApply(await connection.ClientAsync(cancellationToken), change, options, context.Clock, timeout.Token);
            return change.Action switch
            {
                var action when action == GcpActions.CreateGroup => await apply.CreateAsync(),
                var action when action == GcpActions.Resize => await apply.ResizeAsync(),
                var action when action == GcpActions.UpdateTemplate => await apply.UpdateTemplateAsync(),
                var action when action == GcpActions.DeleteGroup => await apply.DeleteAsync(),
                _ => ChangeResult.Failed($"change {change.Id} ({change.Address}): the gcp provider does not apply {change.Action} changes"),
            };
        }
        catch (OperationCanceledException) when (apply is not null && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ChangeResult.Failed(await apply.TimedOutAsync(cancellationToken));
        }
        catch (ComputeException e)
        {
            return ChangeResult.Failed($"{change.Address}: {e.Message}");
        }
        catch (FleetException e)
        {
            return ChangeResult.Failed(string.Join("; ", e.Diagnostics.Select(d => d.Message)));
        }
    }

    /// <summary>One change against one group, from the change's parameters.</summary>
    private sealed class GroupApply(ComputeClient client, PlannedChange change, GcpApplyOptions options, TimeProvider clock, CancellationToken cancellationToken)
    {
        private readonly string fleet = Parameter(change, P.Fleet);
        private readonly string pool = Parameter(change, P.Pool);
        private readonly string zone = Parameter(change, P.Zone);

        private string Group => client.GroupPath(zone, pool);

        /// <summary>Template, then group; a group that exists already (an earlier attempt) is brought to the planned template and size.</summary>
        public async Task<ChangeResult> CreateAsync()
        {
            var template = await EnsureTemplateAsync();
            var size = Size();
            var existing = await client.GetGroupAsync(zone, pool, cancellationToken);
            if (existing is null
                && await client.InsertGroupAsync(zone, new InstanceGroupManager(pool, GroupTemplates.Marker(fleet, pool), client.TemplatePath(template), pool, size), cancellationToken))
            {
                await WaitStableAsync();
                return ChangeResult.Applied($"created {Group} with {size} instances of template {template}");
            }

            // Created meanwhile by an earlier attempt whose answer was lost: bring it to the plan.
            existing ??= await client.GetGroupAsync(zone, pool, cancellationToken)
                ?? throw new ComputeException($"{Group} was reported as existing, then not found; the next attempt creates it");
            CheckManaged(existing);
            var changed = await ConvergeTemplateAsync(existing, template) | await ConvergeSizeAsync(existing, size);
            await WaitStableAsync();
            return changed ? ChangeResult.Applied($"{Group} brought to template {template} and size {size}") : ChangeResult.AlreadyApplied($"{Group} already exists as planned");
        }

        public async Task<ChangeResult> ResizeAsync()
        {
            var size = Size();
            var changed = await ConvergeSizeAsync(await ManagedGroupAsync(), size);
            await WaitStableAsync();
            return changed ? ChangeResult.Applied($"resized {Group} to {size}") : ChangeResult.AlreadyApplied($"{Group} already has {size} instances");
        }

        public async Task<ChangeResult> UpdateTemplateAsync()
        {
            var template = await EnsureTemplateAsync();
            var changed = await ConvergeTemplateAsync(await ManagedGroupAsync(), template);
            await WaitStableAsync();
            return changed ? ChangeResult.Applied($"{Group} now creates instances from template {template}") : ChangeResult.AlreadyApplied($"{Group} already uses template {template}");
        }

        public async Task<ChangeResult> DeleteAsync()
        {
            var existing = await client.GetGroupAsync(zone, pool, cancellationToken);
            if (existing is null)
            {
                return ChangeResult.AlreadyApplied($"{Group} is already gone");
            }

            CheckManaged(existing);
            return await client.DeleteGroupAsync(zone, pool, cancellationToken)
                ? ChangeResult.Applied($"deleted {Group} and its instances")
                : ChangeResult.AlreadyApplied($"{Group} is already gone");
        }

        /// <summary>What the group was doing when the wait ran out, for the failed attempt's message.</summary>
        public async Task<string> TimedOutAsync(CancellationToken outer)
        {
            var waited = $"{change.Address}: {Group} did not become stable within {options.StableTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
            try
            {
                var actions = (await client.ListManagedInstancesAsync(zone, pool, outer))
                    .Where(i => i.CurrentAction is not (null or "NONE"))
                    .GroupBy(i => i.CurrentAction!)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .Select(g => $"{g.Count()} {g.Key}");
                return $"{waited} ({string.Join(", ", actions)})";
            }
            catch (ComputeException)
            {
                return waited;
            }
        }

        /// <summary>Creates the planned template unless it exists; its name must be what this fleetctl computes from the parameters.</summary>
        private async Task<string> EnsureTemplateAsync()
        {
            var template = GroupTemplates.Build(fleet, pool, Parameter(change, P.Role), Parameter(change, P.MachineType), Parameter(change, P.Image));
            if (template.Name != Parameter(change, P.Template))
            {
                throw new FleetException($"change {change.Id} ({change.Address}): the plan names template {Parameter(change, P.Template)}, but its parameters give {template.Name}; plan again with this fleetctl");
            }

            if (await client.GetInstanceTemplateAsync(template.Name, cancellationToken) is null)
            {
                await client.InsertInstanceTemplateAsync(template, cancellationToken);
            }

            return template.Name;
        }

        private async Task<InstanceGroupManager> ManagedGroupAsync()
        {
            var group = await client.GetGroupAsync(zone, pool, cancellationToken)
                ?? throw new FleetException($"change {change.Id} ({change.Address}): {Group} does not exist; plan again");
            CheckManaged(group);
            return group;
        }

        private void CheckManaged(InstanceGroupManager group)
        {
            if (GroupTemplates.ManagingFleet(group.Name, group.Description) != fleet)
            {
                throw new FleetException($"change {change.Id} ({change.Address}): {Group} is not managed by fleet {fleet}; fleetctl leaves it alone");
            }
        }

        private async Task<bool> ConvergeTemplateAsync(InstanceGroupManager group, string template)
        {
            if (ComputeClient.LastSegment(group.InstanceTemplate) == template)
            {
                return false;
            }

            await client.SetInstanceTemplateAsync(zone, pool, template, cancellationToken);
            return true;
        }

        private async Task<bool> ConvergeSizeAsync(InstanceGroupManager group, int size)
        {
            if (group.TargetSize == size)
            {
                return false;
            }

            await client.ResizeAsync(zone, pool, size, cancellationToken);
            return true;
        }

        /// <summary>Polls the group quickly at first (a small change settles in seconds), then every <see cref="GcpApplyOptions.StablePoll"/>.</summary>
        private async Task WaitStableAsync()
        {
            var delay = TimeSpan.FromMilliseconds(100);
            while ((await client.GetGroupAsync(zone, pool, cancellationToken))?.Status?.IsStable != true)
            {
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.StablePoll.Ticks));
                await Task.Delay(delay, clock, cancellationToken);
            }
        }

        private int Size() => int.Parse(Parameter(change, P.Size), NumberStyles.None, CultureInfo.InvariantCulture);

        private static string Parameter(PlannedChange change, string name) =>
            change.Parameters.TryGetValue(name, out var value)
                ? value
                : throw new FleetException($"change {change.Id} ({change.Address}): the plan lacks the parameter '{name}'; plan again with this fleetctl");
    }
}
