using System.Runtime.InteropServices;
using Fleetctl;

// Ctrl+C and SIGTERM cancel the command: a running apply leaves its work resumable, reconcile stops
// between passes, and the apply lock is released on the way out.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});
return await Cli.RunAsync(args, CliHost.FromProcess(), cancellation.Token);
