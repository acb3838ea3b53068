namespace Fleet.Providers.Dns.Push;

/// <summary>Zone files in a zone directory, replaced atomically so a server never reads half a file.</summary>
public static class ZoneFiles
{
    /// <summary>Writes <paramref name="text"/> to <c>dir/fileName</c> by rename; returns the previous content, or null.</summary>
    public static async Task<string?> WriteAtomicAsync(string directory, string fileName, string text, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, fileName);
        var previous = File.Exists(target) ? await File.ReadAllTextAsync(target, cancellationToken) : null;
        var temporary = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536, FileOptions.Asynchronous))
            await using (var writer = new StreamWriter(stream))
            {
                await writer.WriteAsync(text.AsMemory(), cancellationToken);
                await writer.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
            return previous;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Puts back what <see cref="WriteAtomicAsync"/> replaced (or removes a file that did not exist).</summary>
    public static async Task RestoreAsync(string directory, string fileName, string? previous, CancellationToken cancellationToken)
    {
        if (previous is null)
        {
            File.Delete(Path.Combine(directory, fileName));
            return;
        }

        await WriteAtomicAsync(directory, fileName, previous, cancellationToken);
    }
}
