using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Jobs;
using Fleet.Engine.Model;
using Fleet.Engine.Planning;
using Fleet.Engine.Providers;
using Fleet.Engine.Tests.Planning;

namespace Fleet.Engine.Tests.Execution;

/// <summary>The engine's job handler: every job goes to the provider its change names, with a context built from the job alone.</summary>
public sealed class ProviderJobHandlerTests
{
    private readonly List<string> notes = [];

    [Fact]
    public async Task A_job_runs_on_the_provider_its_change_names_with_the_jobs_requester_commit_checksum_id_and_attempt()
    {
        var (one, two) = (new RecordingProvider("one"), new RecordingProvider("two"));
        var handler = new ProviderJobHandler([one, two], TimeProvider.System, notes.Add);

        await handler.RunAsync(Attempt(Change("two"), attempt: 2), CancellationToken.None);

        Assert.Empty(one.Applied);
        var context = Assert.Single(two.Applied);
        Assert.Equal(("alice@ci", "c0ffee", "sha256:1", "42", 2), (context.Requester, context.Commit, context.PlanChecksum, context.JobId, context.Attempt));
    }

    [Fact]
    public async Task A_failed_result_fails_the_attempt_with_its_message_and_a_note_is_passed_on()
    {
        var failing = new RecordingProvider("one") { Result = ChangeResult.Failed("BMC unreachable") };
        var noting = new RecordingProvider("two") { Result = ChangeResult.Applied("pushed") with { Note = "zone differs from the plan" } };
        var handler = new ProviderJobHandler([failing, noting], TimeProvider.System, notes.Add);

        var error = await Assert.ThrowsAsync<FleetException>(() => handler.RunAsync(Attempt(Change("one")), CancellationToken.None));
        await handler.RunAsync(Attempt(Change("two")), CancellationToken.None);

        Assert.Contains("BMC unreachable", error.Message, StringComparison.Ordinal);
        Assert.Equal(["zone differs from the plan"], notes);
    }

    [Fact]
    public async Task Giving_up_asks_the_provider_for_a_change_to_take_over_and_by_default_there_is_none()
    {
        var takeOver = Change("one") with { Machine = "SN2", Reason = "replace" };
        var replacing = new ReplacingProvider("one", takeOver);
        var handler = new ProviderJobHandler([replacing, new RecordingProvider("plain")], TimeProvider.System, notes.Add);

        Assert.Equal(takeOver, await handler.GiveUpAsync(Attempt(Change("one")), "failed", CancellationToken.None));
        Assert.Equal(["failed"], replacing.GaveUp);
        Assert.Null(await handler.GiveUpAsync(Attempt(Change("plain")), "failed", CancellationToken.None));
    }

    [Fact]
    public async Task A_change_of_a_provider_that_is_not_registered_is_a_clear_error()
    {
        var handler = new ProviderJobHandler([new RecordingProvider("one")], TimeProvider.System, notes.Add);

        var error = await Assert.ThrowsAsync<FleetException>(() => handler.RunAsync(Attempt(Change("gcp")), CancellationToken.None));

        Assert.Contains("change 7 (pool/p): provider gcp cannot apply changes in this version of fleetctl", error.Message, StringComparison.Ordinal);
        Assert.True(error.Permanent); // no retry can add the provider: the job fails at once
    }

    [Fact]
    public async Task A_permanent_failure_stays_permanent_and_an_ordinary_one_is_retried()
    {
        var permanent = new RecordingProvider("one") { Result = ChangeResult.FailedPermanently("the fleet has no gcp section") };
        var ordinary = new RecordingProvider("two") { Result = ChangeResult.Failed("BMC unreachable") };
        var handler = new ProviderJobHandler([permanent, ordinary], TimeProvider.System, notes.Add);

        Assert.True((await Assert.ThrowsAsync<FleetException>(() => handler.RunAsync(Attempt(Change("one")), CancellationToken.None))).Permanent);
        Assert.False((await Assert.ThrowsAsync<FleetException>(() => handler.RunAsync(Attempt(Change("two")), CancellationToken.None))).Permanent);
    }

    private static PlannedChange Change(string provider) => new()
    {
        Id = "7",
        Address = "pool/p",
        Provider = provider,
        Action = TestActions.Install,
        Reason = "grow",
        Machine = "SN1",
    };

    private static JobAttempt Attempt(PlannedChange change, int attempt = 1)
    {
        var now = DateTimeOffset.UnixEpoch;
        var job = new Job(42, "a1", change.Id, "install", "SN1", null, JobChanges.ToJson(change), JobStatus.Running, attempt, null, now, "w1",
            "alice@ci", "c0ffee", "sha256:1", now, now, null, null, null, null);
        return new JobAttempt(job, change, attempt, 3);
    }

    /// <summary>A provider that records what it was asked to apply and keeps the contract's default give-up.</summary>
    private class RecordingProvider(string name) : IProvider
    {
        public List<ApplyContext> Applied { get; } = [];

        public ChangeResult Result { get; init; } = ChangeResult.Applied();

        public string Name => name;

        public ProviderCapabilities Capabilities { get; } = new([], [TestActions.Install]);

        public ImmutableArray<Diagnostic> Validate(DesiredState desired) => [];

        public Task<ProviderSnapshot> ReadActualStateAsync(DesiredState desired, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ProviderPlan Plan(ProviderPlanRequest request) => ProviderPlan.Empty;

        public ImmutableArray<string> FindStaleGuards(IReadOnlyDictionary<string, string> guards, ProviderSnapshot actual) => [];

        public Task<ChangeResult> ApplyAsync(PlannedChange change, ApplyContext context, CancellationToken cancellationToken)
        {
            Applied.Add(context);
            return Task.FromResult(Result);
        }
    }

    /// <summary>A provider that hands over to <paramref name="replacement"/> when it gives up.</summary>
    private sealed class ReplacingProvider(string name, PlannedChange replacement) : RecordingProvider(name), IProvider
    {
        public List<string> GaveUp { get; } = [];

        public Task<PlannedChange?> GiveUpAsync(PlannedChange change, ApplyContext context, string error, CancellationToken cancellationToken)
        {
            GaveUp.Add(error);
            return Task.FromResult<PlannedChange?>(replacement);
        }
    }
}
