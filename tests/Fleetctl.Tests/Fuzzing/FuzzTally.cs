using System.Globalization;

namespace Fleetctl.Tests.Fuzzing;

/// <summary>
/// What a fuzz run found, per kind of input: crashes (an internal error or an HTTP 500), hangs (no
/// answer within the limit), writes despite an error, and errors without a location where the input
/// has one. CI runs a few hundred cases (FLEET_FUZZ_CASES overrides); tests/bench/fuzz.sh runs
/// 10,000 and collects the lines appended to FLEET_FUZZ_REPORT.
/// </summary>
internal sealed class FuzzTally(string kind)
{
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(10);

    private readonly List<string> examples = [];

    public int Cases { get; private set; }

    public int Crashes { get; private set; }

    public int Hangs { get; private set; }

    public int WritesDespiteError { get; private set; }

    public int Unlocated { get; private set; }

    public int Refused { get; private set; }

    public static int CasesOr(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable("FLEET_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var cases) ? cases : ci;

    public void Case(bool refused)
    {
        Cases++;
        Refused += refused ? 1 : 0;
    }

    public void Crash(byte[] input, string what) => Note(() => Crashes++, input, what);

    public void Hang(byte[] input) => Note(() => Hangs++, input, "hang");

    public void Wrote(byte[] input, string what) => Note(() => WritesDespiteError++, input, what);

    public void NoLocation(byte[] input, string what) => Note(() => Unlocated++, input, what);

    /// <summary>Appends the figures to FLEET_FUZZ_REPORT (when set) and fails the test on any finding, showing a few.</summary>
    public void Finish(int seed)
    {
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{kind}: {Cases} cases (seed {seed}), {Refused} refused, {Crashes} crashes, {Hangs} hangs, {WritesDespiteError} writes despite an error, {Unlocated} errors without a location");
        if (Environment.GetEnvironmentVariable("FLEET_FUZZ_REPORT") is { Length: > 0 } report)
        {
            File.AppendAllText(report, line + "\n");
        }

        Assert.True(Crashes + Hangs + WritesDespiteError + Unlocated == 0, line + "\n" + string.Join("\n", examples));
    }

    private void Note(Action count, byte[] input, string what)
    {
        count();
        if (examples.Count < 5)
        {
            examples.Add($"{what}: {Convert.ToBase64String(input)}");
        }
    }
}
