namespace Fleet.Engine.Loading;

/// <summary>
/// Where a fleet repository's files are read from: a directory on disk, or a commit of a git
/// repository (so <c>--ref</c> never reads the working tree). Paths are relative to the fleet
/// directory, separated by '/'.
/// </summary>
public interface IFleetSource
{
    /// <summary>What the source is, for messages: a directory path or "commit 1a2b3c4 (refs/heads/main)".</summary>
    string Description { get; }

    /// <summary>Every file below the fleet directory, dot-folders and <c>.fleet/</c> excluded, in ordinal order.</summary>
    IReadOnlyList<string> ListFiles();

    bool Exists(string path);

    long GetSize(string path);

    byte[] ReadAllBytes(string path);
}
