using Fleet.Engine.Planning;

namespace Fleetctl.Rendering;

/// <summary>The output formats of <c>plan</c> and <c>show</c>.</summary>
public enum PlanFormat
{
    Text,
    Json,
    Markdown,
}

/// <summary>Turns a plan into one output format. Renderers read only the plan model, so formats never touch planning.</summary>
public interface IPlanRenderer
{
    Task RenderAsync(Plan plan, TextWriter output, CancellationToken cancellationToken);
}

public static class PlanRenderers
{
    /// <param name="actions">The actions the providers declare: their kinds and wording (the JSON format needs neither).</param>
    /// <param name="bytes">The UTF-8 byte stream behind the writer the plan will be rendered to, if any (<see cref="CliHost.OutBytes"/>).</param>
    public static IPlanRenderer For(PlanFormat format, ActionCatalog actions, bool color, Stream? bytes = null) => format switch
    {
        PlanFormat.Text => new TextPlanRenderer(actions, color),
        PlanFormat.Json => new JsonPlanRenderer(bytes),
        PlanFormat.Markdown => new MarkdownPlanRenderer(actions),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}

/// <summary><c>--format json</c>: exactly the plan file, so <c>plan --format json &gt; f</c> and <c>plan --out f</c> agree.</summary>
/// <param name="utf8">
/// The byte stream the output writer encodes UTF-8 into, when there is one (the process's standard
/// output): the plan file's bytes go there as they are written, without a copy as text.
/// </param>
public sealed class JsonPlanRenderer(Stream? utf8 = null) : IPlanRenderer
{
    /// <summary>Decodes in chunks: a plan of 100,000 changes is tens of megabytes, not worth a second copy as one string.</summary>
    public async Task RenderAsync(Plan plan, TextWriter output, CancellationToken cancellationToken)
    {
        if (utf8 is not null)
        {
            await output.FlushAsync(cancellationToken);
            PlanFile.WriteTo(plan, utf8);
            return;
        }

        var bytes = PlanFile.Serialize(plan);
        var decoder = System.Text.Encoding.UTF8.GetDecoder();
        var chars = new char[64 * 1024];
        for (var offset = 0; offset < bytes.Length;)
        {
            var take = Math.Min(chars.Length, bytes.Length - offset);
            decoder.Convert(bytes, offset, take, chars, 0, chars.Length, offset + take == bytes.Length, out var used, out var produced, out _);
            await output.WriteAsync(chars.AsMemory(0, produced), cancellationToken);
            offset += used;
        }
    }
}
