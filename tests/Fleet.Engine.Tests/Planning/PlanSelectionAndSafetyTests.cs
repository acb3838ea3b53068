using Fleet.Engine.Planning;

namespace Fleet.Engine.Tests.Planning;

public sealed class PlanSelectionAndSafetyTests
{
    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("fancydb-*", "fancydb-lon", true)]
    [InlineData("fancydb-*", "fancydb", false)]
    [InlineData("*-lon", "web-lon", true)]
    [InlineData("*-lon", "web-lon-2", false)]
    [InlineData("web-??", "web-01", true)]
    [InlineData("web-??", "web-1", false)]
    [InlineData("a*b*c", "aXXbYYc", true)]
    [InlineData("a*b*c", "aXXcYYb", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Globs_match_star_and_question_mark(string glob, string name, bool matches) =>
        Assert.Equal(matches, PlanSelection.GlobMatches(glob, name));

    [Theory]
    [InlineData("fancydb-lon", "lon", true)]
    [InlineData("fancydb-sto", "sto", false)] // not in --site lon
    [InlineData("web-lon", "lon", false)] // not matching --pool
    [InlineData("fancydb-canary", "lon", false)] // excluded
    public void Selection_combines_pools_sites_and_excludes(string pool, string site, bool included)
    {
        var selection = new PlanSelection(["fancydb-*"], ["lon"], ["*-canary"]);

        Assert.Equal(included, selection.Includes(pool, site));
    }

    [Fact]
    public void An_empty_selection_includes_everything()
    {
        Assert.True(PlanSelection.All.IsAll);
        Assert.True(PlanSelection.All.Includes("any", null));
        Assert.True(PlanSelection.All.IncludesSite("any"));
    }

    [Theory]
    [InlineData(10, 25, 2)]
    [InlineData(100, 25, 25)]
    [InlineData(3, 25, 1)] // a small pool can still roll one at a time
    [InlineData(0, 25, 0)]
    [InlineData(10, 0, 0)] // 0% forbids recycling in service
    [InlineData(10, 100, 10)]
    public void The_allowance_is_the_percentage_rounded_down_but_at_least_one(int current, int percent, int allowed) =>
        Assert.Equal(allowed, SafetyPolicy.Allowance(current, percent));
}
