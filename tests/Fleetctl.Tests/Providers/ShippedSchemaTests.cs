using Fleet.Engine.Providers;
using Fleet.Engine.Validation;

namespace Fleetctl.Tests.Providers;

/// <summary>
/// fleetctl ships the schemas its providers compose to (in <c>schemas/</c>, built into the binary), so
/// start-up does not compose them: they must be exactly what the definitions compose to now.
/// </summary>
public sealed class ShippedSchemaTests
{
    [Theory]
    [InlineData("Fleet")]
    [InlineData("Role")]
    [InlineData("Pool")]
    [InlineData("Zone")]
    public void The_shipped_schema_of_each_kind_is_what_the_standard_providers_compose_to(string kind)
    {
        var composed = SchemaComposer.Compose(kind, new ProviderCatalog(FleetRuntime.Standard.Catalog.Definitions));

        var written = Path.Combine(AppContext.BaseDirectory, "composed-schemas", FleetKinds.SchemaFile(kind));
        if (composed != FleetRuntime.Standard.Catalog.Schemas.Text(kind))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(written)!);
            File.WriteAllText(written, composed);
        }

        Assert.True(composed == FleetRuntime.Standard.Catalog.Schemas.Text(kind),
            $"schemas/{FleetKinds.SchemaFile(kind)} is not what the providers compose to; the composition is in {written}: copy it to schemas/");
    }
}
