using Fleet.Engine.Model;
using Fleet.State;
using Fleetctl.Logging;
using Fleetctl.Serve.Metrics;

namespace Fleetctl.Serve.Console;

/// <summary>
/// What the console's pages and actions read and act through: the desired state serve was started
/// with (desired sizes, owners, the YAML lines to edit), the state database, the access rules, the
/// last drift report and the log. <paramref name="FleetDirectory"/> is where secret references resolve.
/// </summary>
internal sealed record ConsoleContext(
    DesiredState Desired,
    StateDatabase Database,
    ConsoleAccess Access,
    DriftReportFile Drift,
    EventLog Log,
    string FleetDirectory,
    Func<string, string?> Environment,
    TimeProvider Clock);
