using Fleet.Engine.Inventory;

namespace Fleet.Engine.Tests.Inventory;

public class MachineStatesTests
{
    [Theory]
    [InlineData("available", "installing")]
    [InlineData("installing", "in_use")]
    [InlineData("in_use", "recycling")]
    [InlineData("recycling", "available")]
    [InlineData("in_use", "installing")]
    [InlineData("available", "broken")]
    [InlineData("installing", "broken")]
    [InlineData("in_use", "broken")]
    [InlineData("recycling", "broken")]
    [InlineData("broken", "recycling")]
    [InlineData("broken", "available")]
    public void Allows_the_transitions_of_the_design(string from, string to) =>
        Assert.True(MachineStates.IsAllowed(MachineStates.Parse(from), MachineStates.Parse(to)));

    [Theory]
    [InlineData("available", "in_use")]
    [InlineData("available", "recycling")]
    [InlineData("installing", "available")]
    [InlineData("installing", "recycling")]
    [InlineData("in_use", "available")]
    [InlineData("recycling", "in_use")]
    [InlineData("recycling", "installing")]
    [InlineData("broken", "in_use")]
    [InlineData("broken", "installing")]
    [InlineData("broken", "broken")]
    public void Refuses_every_other_transition(string from, string to) =>
        Assert.False(MachineStates.IsAllowed(MachineStates.Parse(from), MachineStates.Parse(to)));

    [Fact]
    public void Wire_names_round_trip()
    {
        foreach (var state in Enum.GetValues<MachineState>())
        {
            Assert.Equal(state, MachineStates.Parse(state.ToWire()));
        }

        Assert.False(MachineStates.TryParse("InUse", out _));
    }
}
