using Fleet.State.Zones;

namespace Fleet.State.Tests.Dns;

/// <summary>Zone serials in the state database, the same behaviour on SQLite and PostgreSQL.</summary>
public abstract class ZoneSerialStoreTests(IDatabaseProvider provider) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2026, 3, 4, 12, 0, 0, TimeSpan.Zero);
    private StateDatabase database = null!;

    public async Task InitializeAsync() => database = await StateDatabase.OpenAsync(await provider.CreateAsync(), provider.FleetDirectory, CancellationToken.None);

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_saved_serial_and_hash_are_read_back_and_an_unknown_zone_has_none()
    {
        var store = new ZoneSerialStore(database);

        await store.SaveAsync(new ZoneSerialRecord("lon.acme.net.", 4294967295, "sha256:ab", At), CancellationToken.None);

        Assert.Equal(new ZoneSerialRecord("lon.acme.net.", 4294967295, "sha256:ab", At), await store.GetAsync("lon.acme.net.", CancellationToken.None));
        Assert.Null(await store.GetAsync("sto.acme.net.", CancellationToken.None));
    }

    [Fact]
    public async Task A_serial_in_the_database_never_goes_down()
    {
        var store = new ZoneSerialStore(database);
        await store.SaveAsync(new ZoneSerialRecord("lon.acme.net.", 2026030402, "sha256:new", At), CancellationToken.None);

        await store.SaveAsync(new ZoneSerialRecord("lon.acme.net.", 2026030401, "sha256:old", At.AddMinutes(1)), CancellationToken.None);
        await store.SaveAsync(new ZoneSerialRecord("lon.acme.net.", 2026030403, "sha256:newer", At.AddMinutes(2)), CancellationToken.None);

        var stored = await new ZoneSerialStore(database).GetAsync("lon.acme.net.", CancellationToken.None);
        Assert.Equal(2026030403u, stored!.Serial);
        Assert.Equal("sha256:newer", stored.ContentHash);
    }
}

public sealed class SqliteZoneSerialStoreTests(SqliteProvider provider) : ZoneSerialStoreTests(provider), IClassFixture<SqliteProvider>;

public sealed class PostgresZoneSerialStoreTests(PostgresProvider provider) : ZoneSerialStoreTests(provider), IClassFixture<PostgresProvider>;
