using System.Text.RegularExpressions;

namespace Fleet.Providers.Gcp.Planning;

/// <summary>
/// How a role's <c>image</c> becomes the boot disk's source image of a GCP pool:
/// <list type="bullet">
/// <item>a path (<c>projects/P/global/images/NAME</c>, <c>projects/P/global/images/family/F</c>) is used as written;</item>
/// <item>a name starting with a public image family's prefix (<c>debian-12</c>, <c>ubuntu-2404-lts-amd64</c>,
/// <c>rocky-linux-9</c>…) is that family in Google's public image project (<c>debian-cloud</c>…);</item>
/// <item>any other name is an image family in the fleet's own project (<c>gcp.project</c>), where a
/// team's image pipeline publishes it.</item>
/// </list>
/// A family always resolves to its newest image when an instance is created.
/// </summary>
public static partial class GcpImages
{
    private static readonly (string Prefix, string Project)[] PublicFamilies =
    [
        ("debian-", "debian-cloud"),
        ("ubuntu-", "ubuntu-os-cloud"),
        ("rocky-linux-", "rocky-linux-cloud"),
        ("centos-", "centos-cloud"),
        ("rhel-", "rhel-cloud"),
        ("cos-", "cos-cloud"),
        ("fedora-coreos-", "fedora-coreos-cloud"),
        ("sles-", "suse-cloud"),
        ("opensuse-", "opensuse-cloud"),
        ("windows-", "windows-cloud"),
    ];

    /// <summary>The source image of <paramref name="image"/>, or null when it cannot name a GCP image (see <see cref="Problem"/>).</summary>
    public static string? SourceImage(string image, string project)
    {
        if (PathPattern().IsMatch(image))
        {
            return image;
        }

        if (!NamePattern().IsMatch(image))
        {
            return null;
        }

        var owner = PublicFamilies.FirstOrDefault(f => image.StartsWith(f.Prefix, StringComparison.Ordinal)).Project ?? project;
        return $"projects/{owner}/global/images/family/{image}";
    }

    /// <summary>Why <paramref name="image"/> cannot be used on a GCP pool, for a diagnostic on the role's image.</summary>
    public static string Problem(string image) =>
        $"image '{image}' cannot name a GCP image: write an image family (lowercase letters, digits and '-', e.g. debian-12) " +
        "or a path projects/PROJECT/global/images/NAME or projects/PROJECT/global/images/family/FAMILY";

    [GeneratedRegex("^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/global/images/(family/)?[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?\\z")]
    private static partial Regex PathPattern();

    [GeneratedRegex("^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?\\z")]
    private static partial Regex NamePattern();
}
