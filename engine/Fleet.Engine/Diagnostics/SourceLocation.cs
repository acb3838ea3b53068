namespace Fleet.Engine.Diagnostics;

/// <summary>Where a value came from: a path relative to the fleet directory (or a record source), 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public static SourceLocation None { get; } = new(string.Empty, 0, 0);

    public static SourceLocation OfFile(string file) => new(file, 0, 0);

    public bool IsNone => File.Length == 0;

    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}" : File;
}
