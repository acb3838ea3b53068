namespace Fleetctl.Rendering;

/// <summary>
/// Text that came from outside (plan files, recon reports, installers' failure messages, BMC errors)
/// made safe to print on an operator's terminal: every control character (escape sequences, bells,
/// carriage returns, newlines) becomes '?', so the text can neither drive the terminal nor forge lines.
/// Every human renderer passes foreign text through here.
/// </summary>
public static class TerminalText
{
    public static string Clean(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }

    /// <summary><see cref="Clean"/> of a value that may be missing, shown as <paramref name="missing"/>.</summary>
    public static string Clean(string? text, string missing) => text is null ? missing : Clean(text);
}
