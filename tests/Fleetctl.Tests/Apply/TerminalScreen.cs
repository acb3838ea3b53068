using System.Text;

namespace Fleetctl.Tests.Apply;

/// <summary>
/// What a terminal shows after receiving some output: plays back text, carriage returns, line feeds,
/// cursor-up, erase-line and erase-below (the escape sequences a live display uses) and cursor
/// visibility, ignoring colours. Tests assert on the screen a user sees, not on the byte stream.
/// </summary>
internal sealed class TerminalScreen
{
    private readonly List<StringBuilder> rows = [new()];
    private int row;
    private int column;

    private TerminalScreen()
    {
    }

    public bool CursorVisible { get; private set; } = true;

    /// <summary>The screen's lines, trailing spaces and trailing empty lines removed.</summary>
    public IReadOnlyList<string> Lines { get; private set; } = [];

    public string Text => string.Join('\n', Lines);

    public static TerminalScreen Of(string output)
    {
        var screen = new TerminalScreen();
        screen.Play(output);
        var lines = screen.rows.Select(r => r.ToString().TrimEnd()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        screen.Lines = lines;
        return screen;
    }

    private void Play(string output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var c = output[i];
            if (c == '\u001b' && i + 1 < output.Length && output[i + 1] == '[')
            {
                var end = i + 2;
                while (end < output.Length && !char.IsAsciiLetter(output[end]))
                {
                    end++;
                }

                Control(output[(i + 2)..end], output[end]);
                i = end;
            }
            else if (c == '\r')
            {
                column = 0;
            }
            else if (c == '\n')
            {
                row++;
                column = 0;
                while (rows.Count <= row)
                {
                    rows.Add(new StringBuilder());
                }
            }
            else
            {
                var line = rows[row];
                if (line.Length <= column)
                {
                    line.Append(' ', column - line.Length).Append(c);
                }
                else
                {
                    line[column] = c;
                }

                column++;
            }
        }
    }

    private void Control(string parameters, char command)
    {
        switch (command)
        {
            case 'A':
                row = Math.Max(0, row - (parameters.Length == 0 ? 1 : int.Parse(parameters, System.Globalization.CultureInfo.InvariantCulture)));
                break;
            case 'J':
                rows[row].Length = Math.Min(rows[row].Length, column);
                rows.RemoveRange(row + 1, rows.Count - row - 1);
                break;
            case 'K' when parameters == "2":
                rows[row].Clear();
                break;
            case 'K':
                rows[row].Length = Math.Min(rows[row].Length, column);
                break;
            case 'h' or 'l' when parameters == "?25":
                CursorVisible = command == 'h';
                break;
            default:
                // Colours and styles change nothing on the screen's text.
                break;
        }
    }
}

/// <summary>A string writer that a test may read while another thread writes to it.</summary>
internal sealed class SharedWriter : StringWriter
{
    private readonly Lock gate = new();

    public override void Write(char value)
    {
        lock (gate)
        {
            base.Write(value);
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            base.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (gate)
        {
            base.Write(buffer, index, count);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (gate)
        {
            base.Write(buffer);
        }
    }

    public override string ToString()
    {
        lock (gate)
        {
            return base.ToString();
        }
    }
}
