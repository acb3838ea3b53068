using System.Collections.Frozen;
using System.Data.Common;
using Fleet.Engine.Inventory;
using Fleet.State.Backends;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Inventory;

/// <summary>
/// The SQL of a machine transition, written once for both backends: a compare-and-swap on the
/// machine's version and on the states the move is allowed from (<see cref="MachineStates.IsAllowed"/>),
/// and an audit row built from the row as it was, with what the move did to the machine's
/// assignments ("hostname a → b; pool x → -"). PostgreSQL does both in one statement (the old row is
/// locked and read in a CTE); SQLite, one writer at a time inside a transaction, logs from the row
/// and then moves it.
/// </summary>
internal static class Transitions
{
    /// <param name="LogFirst">The audit insert SQLite runs before <paramref name="Move"/>; null on PostgreSQL, where the move logs too.</param>
    /// <param name="Move">The move; it returns the machine as it now is (<see cref="MachineRows.Columns"/>), or no row.</param>
    public sealed record Statements(string? LogFirst, string Move);

    private const string Set = "state = @st, hostname = @h, role = @ro, pool = @p, image = @im, updated_at = @at, version = @v";

    private static readonly FrozenDictionary<(MachineState To, bool Postgres), Statements> ByTarget =
        Enum.GetValues<MachineState>()
            .SelectMany(to => new[] { (to, true), (to, false) })
            .ToFrozenDictionary(key => key, key => Build(key.Item1, key.Item2));

    public static Statements Sql(MachineState to, bool postgres) => ByTarget[(to, postgres)];

    /// <summary>Binds the move (and, with <paramref name="audit"/>, its audit row): the transition's assignments are the machine's after the move.</summary>
    public static void Bind(DbCommand command, MachineTransition transition, AuditContext? audit, DateTimeOffset at, StateBackend backend)
    {
        Parameter(command, "@n", transition.HardwareName);
        Parameter(command, "@expected", transition.ExpectedVersion);
        Parameter(command, "@v", transition.ExpectedVersion + 1);
        Parameter(command, "@st", transition.To.ToWire());
        Parameter(command, "@h", transition.Hostname);
        Parameter(command, "@ro", transition.Role);
        Parameter(command, "@p", transition.Pool);
        Parameter(command, "@im", transition.Image);
        Parameter(command, "@at", backend.TimeValue(at));
        if (audit is not null)
        {
            Parameter(command, "@actor", audit.Actor);
            Parameter(command, "@action", AuditAction.Transition.ToWire());
            Parameter(command, "@reason", audit.Reason);
            Parameter(command, "@job", audit.JobId);
            Parameter(command, "@commit", audit.Commit);
        }
    }

    private static Statements Build(MachineState to, bool postgres)
    {
        var from = string.Join(", ", Enum.GetValues<MachineState>().Where(f => MachineStates.IsAllowed(f, to)).Select(f => $"'{f.ToWire()}'"));
        var matches = $"old.hardware_name = @n AND old.version = @expected AND old.state IN ({from})";
        var log =
            "INSERT INTO audit_log (hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail) " +
            $"SELECT @n, @at, @actor, @action, old.state, @st, @reason, @job, @commit, {AssignmentChanges()} FROM ";
        if (!postgres)
        {
            return new($"{log}machines AS old WHERE {matches}", $"UPDATE machines AS old SET {Set} WHERE {matches} RETURNING {MachineRows.Columns}");
        }

        // FOR UPDATE: a move committed meanwhile makes the old row fail the version check once re-read.
        var returning = string.Join(", ", MachineRows.Columns.Split(", ").Select(c => "m." + c));
        return new(null, $"""
            WITH old AS (SELECT hardware_name, state, hostname, role, pool, image FROM machines AS old WHERE {matches} FOR UPDATE),
                 logged AS ({log}old)
            UPDATE machines AS m SET {Set} FROM old WHERE m.hardware_name = old.hardware_name
            RETURNING {returning}
            """);
    }

    /// <summary>The assignments the move changes, as "field old → new" joined by "; ", or NULL when none changes.</summary>
    private static string AssignmentChanges()
    {
        var changes = new[] { ("hostname", "@h"), ("role", "@ro"), ("pool", "@p"), ("image", "@im") }.Select(f =>
        {
            var (column, value) = (f.Item1, $"CAST({f.Item2} AS TEXT)");
            return $"CASE WHEN old.{column} IS DISTINCT FROM {value} THEN '{column} ' || COALESCE(old.{column}, '-') || ' → ' || COALESCE({value}, '-') END";
        });
        return $"NULLIF(concat_ws('; ', {string.Join(", ", changes)}), '')";
    }
}
