namespace Fleet.Engine.Diagnostics;

public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>
/// A problem with the user's input, returned as a value and collected so that every problem is
/// reported at once. Rendered as <c>file:line:column: error: message</c>.
/// </summary>
public sealed record Diagnostic(DiagnosticSeverity Severity, SourceLocation Location, string Message)
{
    public static Diagnostic Error(SourceLocation location, string message) => new(DiagnosticSeverity.Error, location, message);

    public static Diagnostic Error(string message) => new(DiagnosticSeverity.Error, SourceLocation.None, message);

    public static Diagnostic Warning(SourceLocation location, string message) => new(DiagnosticSeverity.Warning, location, message);

    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString()
    {
        var severity = Severity == DiagnosticSeverity.Error ? "error" : "warning";
        return Location.IsNone ? $"{severity}: {Message}" : $"{Location}: {severity}: {Message}";
    }
}
