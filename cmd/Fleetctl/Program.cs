using System.Runtime.InteropServices;
using Fleetctl;

// Ctrl+C and SIGTERM cancel the command: a running apply leaves its work resumable, reconcile stops
// between passes, and the apply lock is released on the way out.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Cancel();
};
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    Cancel();
});
return await Cli.RunAsync(args, CliHost.FromProcess(), cancellation.Token);

// A signal's handler runs on a thread of its own and may run once the command has ended and the
// source is disposed (a worker stopped by SIGTERM exited with an unhandled exception, status 134):
// then there is nothing left to cancel.
void Cancel()
{
    try
    {
        cancellation.Cancel();
    }
    catch (ObjectDisposedException)
    {
    }
}
