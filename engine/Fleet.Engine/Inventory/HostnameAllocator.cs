using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fleet.Engine.Inventory;

/// <summary>
/// Allocates hostnames <c>&lt;site&gt;-&lt;role&gt;-&lt;5 chars of [a-z0-9]&gt;</c> (DESIGN.md, Inventory).
/// The suffix is the SHA-256 of the serial in base 36, so the same machine gets the same name in
/// every plan; a name already taken (in the inventory, or earlier in this allocator) moves on to the
/// next candidate, the hash of <c>serial#1</c>, <c>serial#2</c>, …. Not thread-safe: one per plan.
/// </summary>
public sealed class HostnameAllocator
{
    public const int SuffixLength = 5;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    private readonly HashSet<string> taken;

    /// <param name="existing">Every hostname the inventory holds (nulls are skipped).</param>
    public HostnameAllocator(IEnumerable<string?> existing)
    {
        taken = new HashSet<string>(StringComparer.Ordinal);
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

    /// <summary>The <paramref name="attempt"/>-th candidate name for a serial; attempt 0 is the hash of the serial itself.</summary>
    public static string Candidate(string site, string role, string serial, int attempt)
    {
        var input = attempt == 0 ? serial : $"{serial}#{attempt}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(input), hash);
        var value = BinaryPrimitives.ReadUInt64BigEndian(hash);
        Span<char> suffix = stackalloc char[SuffixLength];
        for (var i = SuffixLength - 1; i >= 0; i--)
        {
            suffix[i] = Alphabet[(int)(value % 36)];
            value /= 36;
        }

        return $"{site}-{role}-{suffix}";
    }
}
