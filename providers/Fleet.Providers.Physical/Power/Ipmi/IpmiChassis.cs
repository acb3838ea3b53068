namespace Fleet.Providers.Physical.Power.Ipmi;

/// <summary>Chassis Control actions (IPMI v2.0 section 28.3).</summary>
internal enum ChassisControl : byte
{
    PowerDown = 0x00,
    PowerUp = 0x01,
    PowerCycle = 0x02,
}

/// <summary>The chassis commands a power driver needs: status, power control, one-time PXE boot.</summary>
internal static class IpmiChassis
{
    /// <summary>Get Chassis Status (section 28.2): bit 0 of the current power state says whether power is on.</summary>
    public static async Task<PowerState> GetPowerStateAsync(IpmiSession session, CancellationToken cancellationToken)
    {
        var response = await session.CommandAsync(new IpmiRequest(IpmiRequest.NetFnChassis, 0x01, []), "Get Chassis Status", cancellationToken);
        return response.Data.Length == 0 ? PowerState.Unknown : (response.Data[0] & 0x01) != 0 ? PowerState.On : PowerState.Off;
    }

    public static Task ControlAsync(IpmiSession session, ChassisControl action, CancellationToken cancellationToken) =>
        session.CommandAsync(new IpmiRequest(IpmiRequest.NetFnChassis, 0x02, [(byte)action]), $"Chassis Control ({Describe(action)})", cancellationToken);

    /// <summary>
    /// Set System Boot Options, parameter 5 (boot flags, section 28.13): flags valid, for the next
    /// boot only (not persistent), legacy boot type, boot device "force PXE".
    /// </summary>
    public static Task SetPxeBootOnceAsync(IpmiSession session, CancellationToken cancellationToken) =>
        session.CommandAsync(new IpmiRequest(IpmiRequest.NetFnChassis, 0x08, [0x05, 0x80, 0x04, 0x00, 0x00, 0x00]), "Set System Boot Options (boot flags: PXE, next boot only)", cancellationToken);

    private static string Describe(ChassisControl action) => action switch
    {
        ChassisControl.PowerDown => "power down",
        ChassisControl.PowerUp => "power up",
        _ => "power cycle",
    };
}
