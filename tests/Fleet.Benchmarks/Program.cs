using BenchmarkDotNet.Running;
using Fleet.Benchmarks.Generators;

// `generate …` writes a synthetic fleet repository; anything else runs BenchmarkDotNet.
return args.Length > 0 && args[0] == "generate"
    ? FleetGenerator.Run(args[1..])
    : Run(args);

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(FleetGenerator).Assembly).Run(args);
    return 0;
}
