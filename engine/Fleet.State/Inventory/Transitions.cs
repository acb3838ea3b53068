using System.Collections.Frozen;
using System.Data.Common;
using Fleet.Engine.Inventory;
using Fleet.State.Backends;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Inventory;

/// <summary>
/// The SQL of a machine transition: a compare-and-swap on the machine's version, and an audit row
/// that records the row as it was and what the move did to its assignments ("hostname a → b;
/// pool x → -"). PostgreSQL does it all in one statement, so a hundred concurrent jobs pay one
/// round trip per step: the old row is locked and read in a CTE (a move committed meanwhile makes
/// it fail the version check once re-read), only rows in a state the move is allowed from
/// (<see cref="MachineStates.IsAllowed"/>) match, and the audit row is built in SQL. SQLite, one
/// writer at a time, reads the row, checks it and writes both in its transaction.
/// </summary>
internal static class Transitions
{
    public const string Sqlite = $"UPDATE machines SET {Set} WHERE hardware_name = @n AND version = @expected";

    private const string Set = "state = @st, hostname = @h, role = @ro, pool = @p, image = @im, updated_at = @at, version = @v";

    /// <summary>The assignments a transition sets, each with its column, its parameter and its value on a machine.</summary>
    private static readonly (string Column, string Parameter, Func<Machine, string?> Value)[] Assignments =
    [
        ("hostname", "@h", m => m.Hostname),
        ("role", "@ro", m => m.Role),
        ("pool", "@p", m => m.Pool),
        ("image", "@im", m => m.Image),
    ];

    private static readonly FrozenDictionary<MachineState, string> PostgresByTarget =
        Enum.GetValues<MachineState>().ToFrozenDictionary(to => to, BuildPostgres);

    /// <summary>The one statement of a move to <paramref name="to"/> on PostgreSQL; it returns the machine as it now is, or no row.</summary>
    public static string Postgres(MachineState to) => PostgresByTarget[to];

    /// <summary>Binds a move (with <paramref name="audit"/>, also its audit row): the transition's assignments are the machine's after it.</summary>
    public static void Bind(DbCommand command, MachineTransition transition, DateTimeOffset at, StateBackend backend, AuditContext? audit)
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

    /// <summary>What a transition did to the machine's assignments, for the audit log; null when nothing changed.</summary>
    public static string? DescribeAssignment(Machine before, Machine after)
    {
        var changed = Assignments
            .Where(a => a.Value(before) != a.Value(after))
            .Select(a => Change(a.Column, a.Value(before) ?? "-", a.Value(after) ?? "-"))
            .ToList();
        return changed.Count == 0 ? null : string.Join("; ", changed);
    }

    private static string Change(string field, string from, string to) => $"{field} {from} → {to}";

    private static string BuildPostgres(MachineState to)
    {
        var from = string.Join(", ", Enum.GetValues<MachineState>().Where(f => MachineStates.IsAllowed(f, to)).Select(f => $"'{f.ToWire()}'"));
        var returning = string.Join(", ", MachineRows.Columns.Split(", ").Select(c => "m." + c));
        return $"""
            WITH old AS (
                SELECT hardware_name, state, hostname, role, pool, image FROM machines
                WHERE hardware_name = @n AND version = @expected AND state IN ({from}) FOR UPDATE),
            logged AS (
                INSERT INTO audit_log (hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail)
                SELECT @n, @at, @actor, @action, old.state, @st, @reason, @job, @commit, {DescribeAssignmentSql()} FROM old)
            UPDATE machines AS m SET {Set} FROM old WHERE m.hardware_name = old.hardware_name
            RETURNING {returning}
            """;
    }

    /// <summary><see cref="DescribeAssignment"/> in SQL, over the old row and the parameters of the move.</summary>
    private static string DescribeAssignmentSql()
    {
        var changes = Assignments.Select(a =>
        {
            var (old, value) = ($"old.{a.Column}", $"CAST({a.Parameter} AS text)");
            return $"CASE WHEN {old} IS DISTINCT FROM {value} THEN '{Change(a.Column, $"' || COALESCE({old}, '-') || '", $"' || COALESCE({value}, '-') || '")}' END";
        });
        return $"NULLIF(concat_ws('; ', {string.Join(", ", changes)}), '')";
    }
}
