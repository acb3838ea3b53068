using System.Globalization;

namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>The names IPMI v2.0 gives its completion codes (table 5-2) and RMCP+ status codes (table 13-15), for error messages.</summary>
internal static class IpmiCodes
{
    public static string CompletionCode(byte code) => code switch
    {
        0xC0 => "node busy",
        0xC1 => "invalid command",
        0xC2 => "command invalid for the given LUN",
        0xC3 => "timeout while processing the command",
        0xC4 => "out of space",
        0xC5 => "reservation cancelled or invalid reservation ID",
        0xC6 => "request data truncated",
        0xC7 => "request data length invalid",
        0xC8 => "request data field length limit exceeded",
        0xC9 => "parameter out of range",
        0xCA => "cannot return the number of requested data bytes",
        0xCB => "requested sensor, data or record not present",
        0xCC => "invalid data field in request",
        0xCD => "command illegal for the specified sensor or record type",
        0xCE => "command response could not be provided",
        0xCF => "cannot execute a duplicated request",
        0xD0 => "SDR repository in update mode",
        0xD1 => "device in firmware update mode",
        0xD2 => "BMC initialization in progress",
        0xD3 => "destination unavailable",
        0xD4 => "insufficient privilege level",
        0xD5 => "command not supported in the present state",
        0xD6 => "sub-function disabled or unavailable",
        0xFF => "unspecified error",
        _ => "command-specific error",
    } + string.Create(CultureInfo.InvariantCulture, $" (completion code 0x{code:X2})");

    public static string RmcpPlusStatus(byte status) => status switch
    {
        0x01 => "insufficient resources to create a session",
        0x02 => "invalid session ID",
        0x03 => "invalid payload type",
        0x04 => "invalid authentication algorithm",
        0x05 => "invalid integrity algorithm",
        0x06 => "no matching authentication payload",
        0x07 => "no matching integrity payload",
        0x08 => "inactive session ID",
        0x09 => "invalid role",
        0x0A => "unauthorized role or privilege level requested",
        0x0B => "insufficient resources to create a session at the requested role",
        0x0C => "invalid name length",
        0x0D => "unauthorized name",
        0x0E => "unauthorized GUID",
        0x0F => "invalid integrity check value",
        0x10 => "invalid confidentiality algorithm",
        0x11 => "no cipher suite match with the proposed security algorithms",
        0x12 => "illegal or unrecognized parameter",
        _ => "unknown status",
    } + string.Create(CultureInfo.InvariantCulture, $" (RMCP+ status 0x{status:X2})");
}
