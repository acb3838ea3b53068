using System.Collections.Immutable;
using System.Data.Common;
using System.Text;
using Fleet.Engine.Inventory;
using Fleet.State.Inventory;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Fleet.State.Backends;

/// <summary>
/// Reads machine rows straight from the SQLite statement: text comes as UTF-8 spans, values many
/// rows share (site, type, state, role, pool) are decoded once per query, and interfaces are parsed
/// from the column's bytes without an intermediate string. About three times ADO.NET's speed for the
/// 100,000-row reads of a plan.
/// </summary>
internal static class SqliteMachineReader
{
    /// <summary>The rows as they are stepped: the statement lives until the enumeration ends.</summary>
    public static IEnumerable<Machine> Read(SqliteCommand command, CancellationToken cancellationToken)
    {
        var database = command.Connection!.Handle!;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(database, command.CommandText, out var statement), database);
        using (statement)
        {
            foreach (SqliteParameter parameter in command.Parameters)
            {
                var index = raw.sqlite3_bind_parameter_index(statement, parameter.ParameterName);
                var bound = parameter.Value switch
                {
                    null or DBNull => raw.sqlite3_bind_null(statement, index),
                    string text => raw.sqlite3_bind_text(statement, index, text),
                    long number => raw.sqlite3_bind_int64(statement, index, number),
                    int number => raw.sqlite3_bind_int64(statement, index, number),
                    var other => throw new ArgumentException($"unsupported parameter type {other.GetType().Name}"),
                };
                SqliteException.ThrowExceptionForRC(bound, database);
            }

            var row = new Row(statement, new SharedStrings());
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return MachineRows.Read(ref row);
            }

            if (result != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(result, database);
            }
        }
    }

    private readonly struct Row(sqlite3_stmt statement, SharedStrings shared) : IMachineRow
    {
        public bool IsNull(int ordinal) => raw.sqlite3_column_type(statement, ordinal) == raw.SQLITE_NULL;

        public string Text(int ordinal) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, ordinal));

        public string? Shared(int ordinal) => IsNull(ordinal) ? null : shared.Get(raw.sqlite3_column_blob(statement, ordinal));

        public long Int64(int ordinal) => raw.sqlite3_column_int64(statement, ordinal);

        public DateTimeOffset Time(int ordinal) => SqliteBackend.FromMicros(raw.sqlite3_column_int64(statement, ordinal));

        public ImmutableArray<NetworkInterface> Interfaces(int ordinal) => MachineRows.DecodeInterfaces(raw.sqlite3_column_blob(statement, ordinal));
    }
}
