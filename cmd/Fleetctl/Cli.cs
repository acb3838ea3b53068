using System.CommandLine;
using Fleetctl.Commands;

namespace Fleetctl;

/// <summary>The command tree. Each command is a small class in Commands/ that receives its services.</summary>
public static class Cli
{
    /// <param name="fleetCompletions">
    /// Whether <c>--pool</c>, <c>--exclude</c> and <c>--site</c> complete the names of the fleet being
    /// completed in. Off for the man page, which renders this tree and must not list the pools of
    /// whatever fleet it happens to run in.
    /// </param>
    public static RootCommand Build(CliHost host, bool fleetCompletions = false)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("fleetctl: declarative, GitOps reconciliation of machine fleets (physical, GCP, DNS).");
        global.AddTo(root);

        root.Subcommands.Add(SchemaCommand.Create(global, host));
        root.Subcommands.Add(ValidateCommand.Create(global, host));
        root.Subcommands.Add(InventoryCommand.Create(global, host));
        root.Subcommands.Add(PlanCommand.Create(global, host));
        root.Subcommands.Add(ShowCommand.Create(global, host));
        root.Subcommands.Add(ApplyCommand.Create(global, host));
        root.Subcommands.Add(WorkerCommand.Create(global, host));
        root.Subcommands.Add(JobsCommand.Create(global, host));
        root.Subcommands.Add(HistoryCommand.Create(global, host));
        root.Subcommands.Add(StatusCommand.Create(global, host));
        root.Subcommands.Add(CodeownersCommand.Create(global, host));
        root.Subcommands.Add(ReconcileCommand.Create(global, host));
        root.Subcommands.Add(ZonesCommand.Create(global, host));
        root.Subcommands.Add(PowerCommand.Create(global, host));
        root.Subcommands.Add(ServeCommand.Create(global, host));
        root.Subcommands.Add(CompletionCommand.Create(global, host));
        root.Subcommands.Add(ManPageCommand.Create(global, host));
        root.Options.OfType<VersionOption>().Single().Action = new VersionAction(host);
        if (fleetCompletions)
        {
            CompletionCommand.AddFleetValues(root, global, host);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken)
    {
        var root = Build(host, fleetCompletions: true);
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            Output = host.Out,
            Error = host.Err,
            EnableDefaultExceptionHandler = false,
        };
        return await CommandRunner.RunAsync(host, () => parse.InvokeAsync(configuration, cancellationToken));
    }
}
