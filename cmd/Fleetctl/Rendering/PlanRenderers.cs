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
    public static IPlanRenderer For(PlanFormat format, bool color) => format switch
    {
        PlanFormat.Text => new TextPlanRenderer(color),
        PlanFormat.Json => new JsonPlanRenderer(),
        PlanFormat.Markdown => new MarkdownPlanRenderer(),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}

/// <summary><c>--format json</c>: exactly the plan file, so <c>plan --format json &gt; f</c> and <c>plan --out f</c> agree.</summary>
public sealed class JsonPlanRenderer : IPlanRenderer
{
    /// <summary>Decodes in chunks: a plan of 100,000 changes is tens of megabytes, not worth a second copy as one string.</summary>
    public async Task RenderAsync(Plan plan, TextWriter output, CancellationToken cancellationToken)
    {
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
