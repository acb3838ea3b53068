namespace Fleet.Engine.Inventory;

/// <summary>
/// Allocates hostnames <c>&lt;site&gt;-&lt;role&gt;-&lt;5 chars of [a-z0-9]&gt;</c> (DESIGN.md, Inventory).
/// The suffix is a hash of the serial in base 36, so the same machine gets the same name in every
/// plan; a name already taken (in the inventory, or earlier in this allocator) moves on to the next
/// candidate, the hash of <c>serial#1</c>, <c>serial#2</c>, …. Not thread-safe: one per plan.
/// </summary>
public sealed class HostnameAllocator
{
    public const int SuffixLength = 5;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly HashSet<string> taken;

    /// <param name="existing">Every hostname the inventory holds (nulls are skipped).</param>
    public HostnameAllocator(IEnumerable<string?> existing)
        : this(existing, 0)
    {
    }

    /// <param name="existing">Every hostname the inventory holds (nulls are skipped).</param>
    /// <param name="capacity">How many names to make room for up front (the inventory's machine count), so a large plan never grows the set.</param>
    public HostnameAllocator(IEnumerable<string?> existing, int capacity)
    {
        taken = new HashSet<string>(capacity, StringComparer.Ordinal);
        foreach (var hostname in existing)
        {
            if (hostname is not null)
            {
                taken.Add(hostname);
            }
        }
    }

    /// <summary>The first free candidate for <paramref name="serial"/>, now taken.</summary>
    public string Allocate(string site, string role, string serial)
    {
        for (var attempt = 0; ; attempt++)
        {
            var hostname = Candidate(site, role, serial, attempt);
            if (taken.Add(hostname))
            {
                return hostname;
            }
        }
    }

    /// <summary>Marks a hostname as taken without allocating it (a machine that keeps its name).</summary>
    public void Reserve(string hostname) => taken.Add(hostname);

    /// <summary>Whether the hostname is taken (existing or allocated).</summary>
    public bool IsTaken(string hostname) => taken.Contains(hostname);

    /// <summary>The <paramref name="attempt"/>-th candidate name for a serial; attempt 0 is derived from the serial alone.</summary>
    public static string Candidate(string site, string role, string serial, int attempt) =>
        string.Create(site.Length + role.Length + 2 + SuffixLength, (site, role, Hash(serial, attempt)), static (name, state) =>
        {
            var (site, role, value) = state;
            site.CopyTo(name);
            name[site.Length] = '-';
            role.CopyTo(name[(site.Length + 1)..]);
            name[site.Length + 1 + role.Length] = '-';
            for (var i = name.Length - 1; i >= name.Length - SuffixLength; i--)
            {
                name[i] = Alphabet[(int)(value % 36)];
                value /= 36;
            }
        });

    /// <summary>
    /// FNV-1a over the serial's UTF-16 code units (then '#' and the attempt number, when above 0),
    /// finished with MurmurHash3's 64-bit mix so every bit of the serial moves the suffix. Not a
    /// secret, only a spread: it must stay the same in every release so plans stay reproducible.
    /// </summary>
    private static ulong Hash(string serial, int attempt)
    {
        const ulong Prime = 1099511628211UL;
        var hash = 14695981039346656037UL;
        foreach (var c in serial)
        {
            hash = (hash ^ c) * Prime;
        }

        if (attempt > 0)
        {
            hash = (hash ^ '#') * Prime;
            hash = (hash ^ (ulong)attempt) * Prime;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
