using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fleet.State.Backends;

/// <summary>
/// One prepared statement run many times straight on the SQLite handle, inside the connection's
/// current transaction. ADO.NET's per-execution overhead dominated bulk ingest (several µs a row);
/// bind, step, reset costs about one.
/// </summary>
internal sealed class SqliteBulkStatement : IDisposable
{
    private readonly sqlite3 database;
    private readonly sqlite3_stmt statement;

    public SqliteBulkStatement(SqliteConnection connection, string sql)
    {
        database = connection.Handle!;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(database, sql, out statement), database);
    }

    /// <summary>Binds parameter <paramref name="index"/> (1-based): text, integer or null.</summary>
    public SqliteBulkStatement Bind(int index, string? value)
    {
        Check(value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, value));
        return this;
    }

    public SqliteBulkStatement Bind(int index, long? value)
    {
        Check(value is { } number ? raw.sqlite3_bind_int64(statement, index, number) : raw.sqlite3_bind_null(statement, index));
        return this;
    }

    /// <summary>Runs the statement with the bound values and readies it for the next row.</summary>
    public void Execute()
    {
        var result = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (result != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(result, database);
        }
    }

    public void Dispose() => statement.Dispose();

    private void Check(int result) => SqliteException.ThrowExceptionForRC(result, database);
}
