namespace Fleet.Providers.Physical.Power.Redfish;

/// <summary>How patient the redfish driver is with a BMC. BMCs are small computers: answers take seconds, power changes longer.</summary>
public sealed record RedfishOptions
{
    public static RedfishOptions Default { get; } = new();

    /// <summary>One HTTP request, connection included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A reset or boot override, until its task finished and the power state reached what was asked.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Between two reads of a power state or task monitor that did not say when to come back.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait a task monitor's <c>Retry-After</c> is followed for before polling again.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A site's BMC user and password. The password is only ever sent to the BMC; <see cref="Redact"/> keeps it out of messages.</summary>
internal sealed class RedfishCredentials(string username, string password)
{
    public string Username => username;

    public string Password => password;

    public string Redact(string message) => password.Length == 0 ? message : message.Replace(password, "***", StringComparison.Ordinal);

    public override string ToString() => username;
}
