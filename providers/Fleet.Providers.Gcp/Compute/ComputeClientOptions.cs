namespace Fleet.Providers.Gcp.Compute;

/// <summary>
/// How patient the client is. Retries cover 429, 5xx and Google's rate-limit reasons, with backoff
/// doubling from <see cref="InitialBackoff"/> up to <see cref="MaxBackoff"/> (a <c>Retry-After</c> header wins).
/// </summary>
/// <param name="PollInterval">Pause between two <c>wait</c> calls on an operation that is not done yet (the API's wait may return early).</param>
public sealed record ComputeClientOptions(int MaxAttempts, TimeSpan InitialBackoff, TimeSpan MaxBackoff, int PageSize, TimeSpan PollInterval)
{
    public static ComputeClientOptions Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(32), 500, TimeSpan.FromSeconds(1));

    public const string DefaultEndpoint = "https://compute.googleapis.com/compute/v1/";
}
