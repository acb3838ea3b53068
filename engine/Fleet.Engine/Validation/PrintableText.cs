using System.Buffers;

namespace Fleet.Engine.Validation;

/// <summary>
/// Control characters (C0, DEL and C1: what <see cref="char.IsControl(char)"/> means) in text that
/// arrives from the network: recon records and serve's requests refuse them, because they end up on
/// operators' terminals, where escape sequences retitle windows or clear screens and newlines forge lines.
/// </summary>
public static class PrintableText
{
    private static readonly SearchValues<char> Controls =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Concat(Enumerable.Range(0x7F, 0x21)).Select(c => (char)c)]);

    /// <summary>The index of the first control character, or -1.</summary>
    public static int FindControl(ReadOnlySpan<char> text) => text.IndexOfAny(Controls);

    /// <summary>Why <paramref name="text"/> is refused (naming the first control character), or null when it is printable.</summary>
    public static string? Problem(ReadOnlySpan<char> text) =>
        FindControl(text) is var at and >= 0 ? $"contains the control character U+{(int)text[at]:X4}" : null;
}
