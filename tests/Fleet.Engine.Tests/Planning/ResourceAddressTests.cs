using Fleet.Engine.Planning;

namespace Fleet.Engine.Tests.Planning;

public sealed class ResourceAddressTests
{
    [Theory]
    [InlineData("pool/fancydb-lon", "pool", "fancydb-lon")]
    [InlineData("zone/1.10.in-addr.arpa", "zone", "1.10.in-addr.arpa")]
    [InlineData("group/a/b", "group", "a/b")]
    public void Parses_type_and_name_and_spells_them_back(string text, string type, string name)
    {
        var address = ResourceAddress.Parse(text);

        Assert.Equal((type, name), (address.Type, address.Name));
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("pool")]
    [InlineData("/name")]
    [InlineData("pool/")]
    [InlineData("")]
    public void Text_without_a_type_and_a_name_is_not_an_address(string text)
    {
        Assert.False(ResourceAddress.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ResourceAddress.Parse(text));
    }

    [Fact]
    public void The_engine_kinds_spell_as_plans_have_always_spelled_them()
    {
        Assert.Equal("pool/web", ResourceAddress.Pool("web").ToString());
        Assert.Equal("zone/lon.acme.net", ResourceAddress.Zone("lon.acme.net").ToString());
        Assert.True(ResourceAddress.Parse("zone/x").IsA("zone"));
    }
}
