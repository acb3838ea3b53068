using Fleetctl;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};
return await Cli.RunAsync(args, CliHost.FromProcess(), cancellation.Token);
