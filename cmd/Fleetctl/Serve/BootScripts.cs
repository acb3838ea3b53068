using System.Text;
using Fleet.Engine.Inventory;

namespace Fleetctl.Serve;

/// <summary>
/// Where the boot images live and where their programs call back: <c>fleetctl serve --images</c>
/// (a URL whose <c>installer/</c>, <c>sanitize/</c> and <c>recon/</c> folders each hold a
/// <c>vmlinuz</c> and an <c>initrd.img</c>) and <c>--callback-url</c> (this server as the machines reach it).
/// </summary>
internal sealed record BootSettings(Uri Images, Uri Callback);

/// <summary>
/// The iPXE script a machine gets when it network-boots, from its state in the inventory: the
/// installer or the sanitizer with the callback URL and the attempt's token on the kernel command
/// line, the recon image for a MAC the inventory does not know, and its local disk otherwise.
/// </summary>
internal static class BootScripts
{
    /// <summary>Boots the first local disk, or leaves iPXE (the firmware then tries its next boot device).</summary>
    public static string LocalDisk(string why) => $"""
        #!ipxe
        echo fleetctl: {why}: booting from the local disk
        sanboot --no-describe --drive 0x80 || exit

        """;

    /// <summary>The installer (<c>installer/</c>) or the sanitizer (<c>sanitize/</c>) of an attempt, with its token.</summary>
    public static string Task(BootSettings settings, Machine machine, string image, string token)
    {
        var arguments = new StringBuilder()
            .Append("fleet.callback=").Append(new Uri(settings.Callback, "v1/completions"))
            .Append(" fleet.token=").Append(token)
            .Append(" fleet.machine=").Append(machine.HardwareName);
        if (image == "installer")
        {
            arguments.Append(" fleet.hostname=").Append(machine.Hostname).Append(" fleet.image=").Append(machine.Image);
        }

        return Kernel(settings, image, arguments.ToString());
    }

    /// <summary>The recon image, told where to register the machine it finds.</summary>
    public static string Recon(BootSettings settings, string mac) =>
        Kernel(settings, "recon", $"fleet.recon={new Uri(settings.Callback, "v1/recon")} fleet.mac={mac}");

    private static string Kernel(BootSettings settings, string image, string arguments) => $"""
        #!ipxe
        kernel {new Uri(settings.Images, $"{image}/vmlinuz")} initrd=initrd.img {arguments}
        initrd {new Uri(settings.Images, $"{image}/initrd.img")}
        boot

        """;
}
