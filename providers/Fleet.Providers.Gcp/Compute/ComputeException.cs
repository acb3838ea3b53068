using System.Net;

namespace Fleet.Providers.Gcp.Compute;

/// <summary>
/// A Compute Engine call that failed: the HTTP status, Google's error reason (<c>notFound</c>,
/// <c>alreadyExists</c>, <c>rateLimitExceeded</c>…) and a message that names the call and the resource
/// (<c>POST projects/p/zones/z/instanceGroupManagers/g/resize</c>). Never carries a token or a key.
/// </summary>
public class ComputeException(string message, HttpStatusCode? status = null, string? reason = null, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public string? Reason { get; } = reason;
}

/// <summary>An operation that finished (<c>DONE</c>) with errors: <see cref="Errors"/> are the operation's <c>error.errors</c>.</summary>
public sealed class ComputeOperationException(string message, IReadOnlyList<OperationErrorItem> errors)
    : ComputeException(message, reason: errors.Count > 0 ? errors[0].Code : null)
{
    public IReadOnlyList<OperationErrorItem> Errors { get; } = errors;
}
