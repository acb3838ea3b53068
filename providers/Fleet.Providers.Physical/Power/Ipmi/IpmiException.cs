namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>
/// A BMC that did not do what was asked: no answer, refused credentials, an error completion code.
/// The message names the BMC's address and port and never contains the password.
/// </summary>
public sealed class IpmiException : Exception
{
    public IpmiException(string endpoint, string message)
        : base(message)
    {
        Endpoint = endpoint;
    }

    public IpmiException(string endpoint, string message, Exception inner)
        : base(message, inner)
    {
        Endpoint = endpoint;
    }

    /// <summary>The BMC as <c>address:port</c>.</summary>
    public string Endpoint { get; }
}
