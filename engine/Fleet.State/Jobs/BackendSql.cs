using System.Data.Common;
using Fleet.State.Backends;

namespace Fleet.State.Jobs;

/// <summary>
/// The SQL the job, lock and history stores write once for both backends needs a few words that
/// differ: the type of time and JSON columns (for casts of parameters that may be null) and how a
/// claim skips rows other workers hold.
/// </summary>
internal static class BackendSql
{
    public static bool IsPostgres(this StateBackend backend) => backend.Location.Backend == StateBackendKind.Postgres;

    public static string TimeType(this StateBackend backend) => backend.IsPostgres() ? "timestamptz" : "INTEGER";

    public static string JsonType(this StateBackend backend) => backend.IsPostgres() ? "jsonb" : "TEXT";

    /// <summary>Appended to the SELECT of a claim: PostgreSQL workers pass over rows others are claiming; SQLite has one writer.</summary>
    public static string SkipLocked(this StateBackend backend) => backend.IsPostgres() ? "FOR UPDATE SKIP LOCKED" : string.Empty;

    public static object? Time(this StateBackend backend, DateTimeOffset? time) => time is { } t ? backend.TimeValue(t) : null;

    public static DateTimeOffset? ReadNullableTime(this StateBackend backend, DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : backend.ReadTime(reader, ordinal);
}
