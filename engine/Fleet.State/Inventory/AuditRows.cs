using System.Data.Common;
using Fleet.Engine.Inventory;
using Fleet.State.Backends;

namespace Fleet.State.Inventory;

/// <summary>The one mapping between an audit entry and a row of <c>audit_log</c>.</summary>
internal static class AuditRows
{
    public const string Insert =
        "INSERT INTO audit_log (hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail) " +
        "VALUES (@n, @at, @actor, @action, @from, @to, @reason, @job, @commit, @detail)";

    public const string Columns = "id, hardware_name, at, actor, action, from_state, to_state, reason, job_id, commit_id, detail";

    public static readonly string[] ParameterNames = ["@n", "@at", "@actor", "@action", "@from", "@to", "@reason", "@job", "@commit", "@detail"];

    public static void Set(DbParameter[] parameters, AuditRow row, StateBackend backend) =>
        Sql.Set(
            parameters,
            row.HardwareName,
            backend.TimeValue(row.At),
            row.Actor,
            row.Action.ToWire(),
            row.From?.ToWire(),
            row.To?.ToWire(),
            row.Reason,
            row.JobId,
            row.Commit,
            row.Detail);

    public static AuditRow Of(string hardwareName, DateTimeOffset at, AuditContext audit, AuditAction action, MachineState? from, MachineState? to, string? detail) =>
        new(hardwareName, at, audit.Actor, action, from, to, audit.Reason, audit.JobId, audit.Commit, detail);

    public static AuditEntry Read(DbDataReader reader, StateBackend backend) => new(
        Id: reader.GetInt64(0),
        HardwareName: reader.GetString(1),
        At: backend.ReadTime(reader, 2),
        Actor: reader.GetString(3),
        Action: AuditActions.Parse(reader.GetString(4)),
        From: reader.IsDBNull(5) ? null : MachineRows.ParseState(reader.GetString(5)),
        To: reader.IsDBNull(6) ? null : MachineRows.ParseState(reader.GetString(6)),
        Reason: MachineRows.NullableString(reader, 7),
        JobId: MachineRows.NullableString(reader, 8),
        Commit: MachineRows.NullableString(reader, 9),
        Detail: MachineRows.NullableString(reader, 10));
}
