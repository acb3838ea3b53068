using System.Collections.Immutable;
using System.Data.Common;
using Dapper;
using Fleet.Engine.GitOps;
using Fleet.State.Backends;

namespace Fleet.State.Ledger;

/// <summary>The applied-commit ledger on PostgreSQL or SQLite; rows are only ever appended.</summary>
internal sealed class DbCommitLedger(StateBackend db) : ICommitLedger
{
    private const string Columns = "\"commit\", reference, plan_checksum, applied_by, applied_at";

    public Task<AppliedCommit?> GetLastCommitAsync(CancellationToken cancellationToken) =>
        db.ReadAsync(
            async connection =>
            {
                var rows = await ReadAsync(connection, $"SELECT {Columns} FROM applied_commits WHERE \"commit\" IS NOT NULL ORDER BY seq DESC LIMIT 1", new { }, cancellationToken);
                return rows.IsEmpty ? null : rows[0];
            },
            cancellationToken);

    public Task RecordAsync(AppliedCommit applied, CancellationToken cancellationToken) =>
        db.WriteAsync(
            (connection, transaction) => connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO applied_commits ({Columns}) VALUES (@commit, @reference, @checksum, @by, @at)",
                new { commit = applied.Commit, reference = applied.Reference, checksum = applied.PlanChecksum, by = applied.AppliedBy, at = db.TimeValue(applied.AppliedAt) },
                transaction,
                cancellationToken: cancellationToken)),
            cancellationToken);

    public Task<ImmutableArray<AppliedCommit>> ListAsync(int limit, CancellationToken cancellationToken) =>
        db.ReadAsync(
            connection => ReadAsync(connection, $"SELECT {Columns} FROM applied_commits ORDER BY seq DESC LIMIT @limit", new { limit }, cancellationToken),
            cancellationToken);

    private async Task<ImmutableArray<AppliedCommit>> ReadAsync(DbConnection connection, string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        var rows = ImmutableArray.CreateBuilder<AppliedCommit>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AppliedCommit(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                db.ReadTime(reader, 4)));
        }

        return rows.ToImmutable();
    }
}
