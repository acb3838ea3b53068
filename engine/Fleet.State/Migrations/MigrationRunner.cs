using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Fleet.Engine.Diagnostics;
using Fleet.State.Backends;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Migrations;

/// <summary>One embedded schema migration: <c>Migrations/&lt;backend&gt;/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>What opening a database did to its schema.</summary>
public sealed record MigrationResult(int SchemaVersion, ImmutableArray<Migration> Applied);

/// <summary>
/// Applies the embedded migrations a database lacks, in version order, in one transaction that holds
/// the schema lock, so two processes opening a fresh database at once migrate it exactly once. An
/// up-to-date database, what nearly every command opens, costs one unlocked read of the ledger.
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

            // Every command opens an up-to-date database: one read, no lock, no transaction.
            if (Current(backend, known, await TryReadAppliedAsync(connection, cancellationToken)) is { } current)
            {
                return current;
            }

            await using var transaction = await backend.BeginSchemaChangeAsync(connection, cancellationToken);
            await ExecuteAsync(Command(connection, transaction, CreateLedger), cancellationToken);
            var applied = await ReadAppliedAsync(connection, transaction, cancellationToken);
            RefuseNewer(backend, known, applied);

            var pending = known.Where(m => !applied.Contains(m.Version)).ToImmutableArray();
            foreach (var migration in pending)
            {
                await ExecuteAsync(Command(connection, transaction, migration.Sql), cancellationToken);
                var record = Command(connection, transaction, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)");
                Parameter(record, "@version", migration.Version);
                Parameter(record, "@name", migration.Name);
                Parameter(record, "@at", clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                await ExecuteAsync(record, cancellationToken);
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

    /// <summary>
    /// The schema of a database that needs no migration, found with one unlocked read and no write;
    /// null when it has no ledger yet or lacks a migration (<see cref="MigrateAsync"/> applies them).
    /// </summary>
    public static async Task<MigrationResult?> CheckAsync(StateBackend backend, CancellationToken cancellationToken)
    {
        var known = Embedded(backend.MigrationFolder);
        try
        {
            await using var connection = await backend.OpenConnectionAsync(cancellationToken);
            return Current(backend, known, await TryReadAppliedAsync(connection, cancellationToken));
        }
        catch (DbException e)
        {
            throw backend.Translate(e);
        }
    }

    /// <summary>The result of opening when <paramref name="applied"/> has every known migration; a newer schema is refused.</summary>
    private static MigrationResult? Current(StateBackend backend, ImmutableArray<Migration> known, HashSet<int>? applied)
    {
        if (applied is null)
        {
            return null;
        }

        RefuseNewer(backend, known, applied);
        return known.All(m => applied.Contains(m.Version)) ? new MigrationResult(applied.DefaultIfEmpty(0).Max(), []) : null;
    }

    /// <summary>The applied versions, or null when the database has no ledger yet (or cannot say: the locked path will).</summary>
    private static async Task<HashSet<int>?> TryReadAppliedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAppliedAsync(connection, null, cancellationToken);
        }
        catch (DbException)
        {
            return null;
        }
    }

    private static async Task<HashSet<int>> ReadAppliedAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT version FROM schema_migrations");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    /// <summary>A database that has a migration this binary does not know is from a newer fleetctl.</summary>
    private static void RefuseNewer(StateBackend backend, ImmutableArray<Migration> known, HashSet<int> applied)
    {
        var knownVersions = known.Select(m => m.Version).ToHashSet();
        var unknown = applied.Where(v => !knownVersions.Contains(v)).Order().ToList();
        if (unknown.Count > 0)
        {
            throw new FleetException(
                $"inventory {backend.Location.Display}: the database has schema version {unknown[^1]}, newer than this fleetctl knows " +
                $"({(known.IsEmpty ? 0 : known[^1].Version)}); upgrade fleetctl");
        }
    }

    private static async Task ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        using (command)
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileName();
}
