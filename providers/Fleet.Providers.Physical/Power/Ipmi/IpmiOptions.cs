using System.Text;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// How long to wait for each answer of a BMC, and how many times a request is sent in all before
/// the BMC counts as unreachable (UDP loses packets; BMCs are slow).
/// </summary>
public sealed record IpmiOptions(TimeSpan AttemptTimeout, int Attempts)
{
    /// <summary>2 s per attempt, 3 attempts: a BMC that does not answer is reported after about 6 s.</summary>
    public static IpmiOptions Default { get; } = new(TimeSpan.FromSeconds(2), 3);

    /// <summary>The longest a single exchange may wait before it is reported as unanswered.</summary>
    public TimeSpan Total => AttemptTimeout * Attempts;
}

/// <summary>
/// A BMC user and password. Deliberately not a record: nothing prints the password, not even
/// <see cref="ToString"/>.
/// </summary>
public sealed class IpmiCredentials
{
    /// <summary>IPMI v2.0 limits user names to 16 bytes and passwords to 20.</summary>
    public const int MaxUserNameBytes = 16;
    public const int MaxPasswordBytes = 20;

    public IpmiCredentials(string userName, string password)
    {
        if (Problem(userName, password) is { } problem)
        {
            throw new ArgumentException(problem.Message, problem.Field == "password" ? nameof(password) : nameof(userName));
        }

        UserName = userName;
        Password = password;
    }

    public string UserName { get; }

    internal string Password { get; }

    public override string ToString() => UserName;

    /// <summary>What IPMI v2.0 would not accept of these credentials (<c>username</c> or <c>password</c>, and why), or null.</summary>
    public static (string Field, string Message)? Problem(string userName, string password) =>
        Encoding.UTF8.GetByteCount(userName) is 0 or > MaxUserNameBytes ? ("username", $"an IPMI user name has 1 to {MaxUserNameBytes} bytes")
        : Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes ? ("password", $"an IPMI v2.0 password has at most {MaxPasswordBytes} bytes")
        : null;
}
