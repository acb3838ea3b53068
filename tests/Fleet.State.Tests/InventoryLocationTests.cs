using Fleet.Engine.Diagnostics;
using Npgsql;

namespace Fleet.State.Tests;

public sealed class InventoryLocationTests
{
    [Fact]
    public void A_sqlite_path_is_relative_to_the_fleet_directory()
    {
        var location = InventoryLocation.Parse("sqlite:.fleet/inventory.db", "/srv/fleet");
        Assert.Equal((StateBackendKind.Sqlite, "/srv/fleet/.fleet/inventory.db", "sqlite:.fleet/inventory.db"), (location.Backend, location.ConnectionTarget, location.Display));
        Assert.Equal("/data/inv.db", InventoryLocation.Parse("sqlite:/data/inv.db", "/srv/fleet").ConnectionTarget);
    }

    [Theory]
    [InlineData("postgres://fleet:s3cr%40t@db.example.net:6543/inventory?sslmode=require")]
    [InlineData("postgresql://fleet:s3cr%40t@db.example.net:6543/inventory?sslmode=require")]
    public void A_postgres_uri_becomes_a_connection_string_and_is_displayed_without_its_password(string uri)
    {
        var location = InventoryLocation.Parse(uri, "/srv/fleet");
        var builder = new NpgsqlConnectionStringBuilder(location.ConnectionTarget);

        Assert.Equal(StateBackendKind.Postgres, location.Backend);
        Assert.Equal(("db.example.net", 6543, "inventory", "fleet", "s3cr@t", SslMode.Require), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password, builder.SslMode));
        Assert.DoesNotContain("s3cr", location.Display, StringComparison.Ordinal);
        Assert.Contains("fleet:***@db.example.net:6543/inventory", location.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_is_accepted_and_redacted()
    {
        var location = InventoryLocation.Parse("Host=db;Username=fleet;Password=hunter2;Database=inv", "/srv");
        Assert.Equal(StateBackendKind.Postgres, location.Backend);
        Assert.Equal("Host=db;Username=fleet;Password=***;Database=inv", location.Display);
    }

    [Theory]
    [InlineData("mysql://root:hunter2@db/inv", "inventory 'mysql://root:***@db/inv': expected sqlite:PATH, postgres://user:password@host:port/database or a PostgreSQL connection string")]
    [InlineData("sqlite:", "inventory 'sqlite:': sqlite: needs a file path, e.g. sqlite:.fleet/inventory.db")]
    [InlineData("postgres://u:hunter2@db/inv?frobnicate=1", "inventory 'postgres://u:***@db/inv?frobnicate=1': unsupported or invalid URI parameter 'frobnicate'")]
    [InlineData("Host=db;Password=hunter2;Colour=blue", "inventory 'Host=db;Password=***;Colour=blue': not a valid PostgreSQL connection string")]
    [InlineData("inventory.db", "inventory 'inventory.db': expected sqlite:PATH, postgres://user:password@host:port/database or a PostgreSQL connection string")]
    public void An_unparseable_inventory_is_a_user_error_without_the_password(string inventory, string message)
    {
        var error = Assert.Throws<FleetException>(() => InventoryLocation.Parse(inventory, "/srv"));
        Assert.StartsWith(message, error.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_environment_overrides_fleet_yaml_which_overrides_the_default()
    {
        Assert.Equal("sqlite:.fleet/inventory.db", InventoryLocation.Resolve(null, _ => null));
        Assert.Equal("sqlite:x.db", InventoryLocation.Resolve("sqlite:x.db", _ => null));
        Assert.Equal("postgres://h/db", InventoryLocation.Resolve("sqlite:x.db", name => name == "FLEET_INVENTORY" ? "postgres://h/db" : null));
    }

    [Theory]
    [InlineData("postgres://a:b@h/d", "postgres://a:***@h/d")]
    [InlineData("postgres://fleet:p@ss@w0rd@db:5432/d", "postgres://fleet:***@db:5432/d")]
    [InlineData("cannot connect to postgres://fleet:a@b@db/d as fleet@ops1", "cannot connect to postgres://fleet:***@db/d as fleet@ops1")]
    [InlineData("host=h;password=pw;user id=u", "host=h;password=***;user id=u")]
    [InlineData("Server=h; Pwd = pw ;Database=d", "Server=h; Pwd = ***;Database=d")]
    [InlineData("postgres://h/d?user=u&password=pw", "postgres://h/d?user=u&password=***")]
    public void Redact_hides_every_password_form(string text, string redacted) =>
        Assert.Equal(redacted, InventoryLocation.Redact(text));
}
