using System.Diagnostics.CodeAnalysis;

namespace Fleet.Engine.Planning;

/// <summary>
/// The address of a resource, <c>TYPE/NAME</c>: <c>pool/fancydb-lon</c>, <c>zone/lon.acme.net</c>,
/// and in a provider's guards its own types (<c>machine/C0MPUT3</c>, <c>group/NAME</c>). Plan files
/// and guards spell it with <see cref="ToString"/>; the name may contain slashes, the type may not.
/// </summary>
public readonly record struct ResourceAddress
{
    public ResourceAddress(string type, string name)
    {
        if (string.IsNullOrEmpty(type) || type.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{type}' is not a resource type", nameof(type));
        }

        (Type, Name) = (type, name);
    }

    public string Type { get; }

    public string Name { get; }

    /// <summary>A pool of the desired state.</summary>
    public static ResourceAddress Pool(string name) => new("pool", name);

    /// <summary>A zone; plans name it without its trailing dot.</summary>
    public static ResourceAddress Zone(string name) => new("zone", name);

    public bool IsA(string type) => string.Equals(Type, type, StringComparison.Ordinal);

    public static bool TryParse([NotNullWhen(true)] string? text, out ResourceAddress address)
    {
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash <= 0 || slash == text!.Length - 1)
        {
            address = default;
            return false;
        }

        address = new ResourceAddress(text[..slash], text[(slash + 1)..]);
        return true;
    }

    public static ResourceAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not a resource address (TYPE/NAME)");

    public override string ToString() => $"{Type}/{Name}";
}
