using System.Text;

namespace Fleetctl.Apply;

/// <summary>
/// Standard error while a live display is drawn: a note written by a job then would land inside the
/// display's frame and break its redrawing, so what is written while held waits until the display
/// ends, and goes straight through otherwise.
/// </summary>
internal sealed class HeldWriter(TextWriter inner) : TextWriter
{
    private readonly Lock gate = new();
    private readonly StringBuilder held = new();
    private bool holding;

    public override Encoding Encoding => inner.Encoding;

    public void Hold()
    {
        lock (gate)
        {
            holding = true;
        }
    }

    /// <summary>Writes what waited, and lets later writes through.</summary>
    public void Release()
    {
        lock (gate)
        {
            holding = false;
            inner.Write(held.ToString());
            inner.Flush();
            held.Clear();
        }
    }

    public override void Write(char value)
    {
        lock (gate)
        {
            if (holding)
            {
                held.Append(value);
            }
            else
            {
                inner.Write(value);
            }
        }
    }

    public override void Write(string? value)
    {
        lock (gate)
        {
            if (holding)
            {
                held.Append(value);
            }
            else
            {
                inner.Write(value);
            }
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Flush()
    {
        lock (gate)
        {
            inner.Flush();
        }
    }
}
