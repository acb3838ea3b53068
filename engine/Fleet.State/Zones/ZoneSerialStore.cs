using Fleet.State.Backends;

namespace Fleet.State.Zones;

/// <summary>The last push of one DNS zone: its SOA serial and the hash of the content it carried.</summary>
public sealed record ZoneSerialRecord(string Zone, uint Serial, string ContentHash, DateTimeOffset PushedAt);

/// <summary>
/// Zone serials in the state database (table <c>zone_serials</c>, migrations 0020+). A save never
/// lowers a stored serial, even when two applies race: the higher one wins.
/// </summary>
public sealed class ZoneSerialStore(StateDatabase database)
{
    private readonly StateBackend backend = database.Backend;

    public Task<ZoneSerialRecord?> GetAsync(string zone, CancellationToken cancellationToken) =>
        backend.ReadAsync(async connection =>
        {
            await using var command = Sql.Command(connection, null, "SELECT serial, content_hash, pushed_at FROM zone_serials WHERE zone = @zone");
            Sql.Parameter(command, "zone", zone);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new ZoneSerialRecord(zone, (uint)reader.GetInt64(0), reader.GetString(1), backend.ReadTime(reader, 2))
                : null;
        }, cancellationToken);

    public Task SaveAsync(ZoneSerialRecord record, CancellationToken cancellationToken) =>
        backend.WriteAsync(async (connection, transaction) =>
        {
            await using var command = Sql.Command(connection, transaction, """
                INSERT INTO zone_serials (zone, serial, content_hash, pushed_at) VALUES (@zone, @serial, @hash, @at)
                ON CONFLICT (zone) DO UPDATE SET serial = excluded.serial, content_hash = excluded.content_hash, pushed_at = excluded.pushed_at
                WHERE excluded.serial >= zone_serials.serial
                """);
            Sql.Parameter(command, "zone", record.Zone);
            Sql.Parameter(command, "serial", (long)record.Serial);
            Sql.Parameter(command, "hash", record.ContentHash);
            Sql.Parameter(command, "at", backend.TimeValue(record.PushedAt));
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
