using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Fleet.Engine.Diagnostics;
using Fleet.State.Backends;

namespace Fleet.State.Migrations;

/// <summary>One embedded schema migration: <c>Migrations/&lt;backend&gt;/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>What opening a database did to its schema.</summary>
public sealed record MigrationResult(int SchemaVersion, ImmutableArray<Migration> Applied);

/// <summary>
/// Applies the embedded migrations a database lacks, in version order, in one transaction that holds
/// the schema lock, so two processes opening a fresh database at once migrate it exactly once.
/// A database that has a migration this binary does not know is from a newer fleetctl: refused.
/// </summary>
internal static partial class MigrationRunner
{
    private const string CreateLedger =
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

    public static ImmutableArray<Migration> Embedded(string backendFolder)
    {
        var assembly = typeof(MigrationRunner).Assembly;
        var prefix = $"Migrations/{backendFolder}/";
        var migrations = ImmutableArray.CreateBuilder<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var name = resource.Replace('\\', '/');
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var match = FileName().Match(name[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"migration resource '{name}' is not named NNNN_name.sql");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"two {backendFolder} migrations have version {migrations[i].Version}");
            }
        }

        return migrations.ToImmutable();
    }

    public static async Task<MigrationResult> MigrateAsync(StateBackend backend, TimeProvider clock, CancellationToken cancellationToken)
    {
        var known = Embedded(backend.MigrationFolder);
        try
        {
            await using var connection = await backend.OpenConnectionAsync(cancellationToken);
            await using var transaction = await backend.BeginSchemaChangeAsync(connection, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(CreateLedger, transaction: transaction, cancellationToken: cancellationToken));
            var applied = (await connection.QueryAsync<int>(new CommandDefinition(
                "SELECT version FROM schema_migrations ORDER BY version", transaction: transaction, cancellationToken: cancellationToken))).ToHashSet();

            var knownVersions = known.Select(m => m.Version).ToHashSet();
            var unknown = applied.Where(v => !knownVersions.Contains(v)).Order().ToList();
            if (unknown.Count > 0)
            {
                throw new FleetException(
                    $"inventory {backend.Location.Display}: the database has schema version {unknown[^1]}, newer than this fleetctl knows " +
                    $"({(known.IsEmpty ? 0 : known[^1].Version)}); upgrade fleetctl");
            }

            var pending = known.Where(m => !applied.Contains(m.Version)).ToImmutableArray();
            foreach (var migration in pending)
            {
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                    new { migration.Version, migration.Name, At = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) },
                    transaction,
                    cancellationToken: cancellationToken));
            }

            await transaction.CommitAsync(cancellationToken);
            var version = applied.Concat(pending.Select(m => m.Version)).DefaultIfEmpty(0).Max();
            return new MigrationResult(version, pending);
        }
        catch (DbException e)
        {
            throw backend.Translate(e);
        }
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}
