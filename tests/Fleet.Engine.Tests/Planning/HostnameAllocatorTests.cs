using Fleet.Engine.Inventory;

namespace Fleet.Engine.Tests.Planning;

public sealed class HostnameAllocatorTests
{
    [Fact]
    public void Hostnames_are_site_role_and_five_base36_characters_derived_from_the_serial()
    {
        var first = new HostnameAllocator([]).Allocate("lon", "fancydb", "C0MPUT3");
        var again = new HostnameAllocator([]).Allocate("lon", "fancydb", "C0MPUT3");
        var other = new HostnameAllocator([]).Allocate("lon", "fancydb", "C0MPUT4");

        Assert.Matches("^lon-fancydb-[a-z0-9]{5}$", first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void A_taken_name_moves_on_to_the_next_candidate()
    {
        var taken = HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 0);
        var allocator = new HostnameAllocator([taken, null]);

        var hostname = allocator.Allocate("lon", "fancydb", "C0MPUT3");

        Assert.Equal(HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 1), hostname);
        Assert.True(allocator.IsTaken(hostname));
    }

    [Fact]
    public void Names_allocated_in_one_plan_are_unique_even_for_a_repeated_serial()
    {
        var allocator = new HostnameAllocator([]);

        var names = Enumerable.Range(0, 2000).Select(i => allocator.Allocate("lon", "web", $"S{i % 1000}")).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_suffix_is_stable_across_releases()
    {
        // Plans must stay reproducible: changing the derivation would rename every future machine.
        // Pinned: the last 5 base-36 digits of FNV-1a 64 + fmix64 of "C0MPUT3", and of "C0MPUT3" '#' 1.
        Assert.Equal("lon-fancydb-ocxmy", HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 0));
        Assert.Equal("lon-fancydb-ibjzl", HostnameAllocator.Candidate("lon", "fancydb", "C0MPUT3", 1));
    }
}
