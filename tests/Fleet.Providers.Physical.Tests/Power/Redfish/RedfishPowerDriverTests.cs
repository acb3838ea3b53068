using System.Net;
using System.Net.Sockets;
using Fleet.Engine.Diagnostics;
using Fleet.Providers.Physical.Power;
using Fleet.Providers.Physical.Power.Redfish;

namespace Fleet.Providers.Physical.Tests.Power.Redfish;

public sealed class RedfishPowerDriverTests
{
    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public async Task Power_status_is_the_systems_PowerState_read_in_a_session_that_is_deleted_afterwards()
    {
        await using var bed = await RedfishBed.StartAsync();
        var driver = bed.Driver();
        var machine = bed.Machine(bed.Bmc);

        Assert.Equal(PowerState.Off, await driver.GetPowerStateAsync(machine, None));
        bed.Bmc.PowerState = "On";
        Assert.Equal(PowerState.On, await driver.GetPowerStateAsync(machine, None));

        Assert.Equal(0, bed.Bmc.OpenSessions);
        var requests = bed.Bmc.Requests;
        Assert.Equal(2, requests.Count(r => r is { Method: "POST", Path: "/redfish/v1/SessionService/Sessions" }));
        Assert.Equal(2, requests.Count(r => r is { Method: "DELETE" } && r.Path.StartsWith("/redfish/v1/SessionService/Sessions/", StringComparison.Ordinal)));
        Assert.All(requests.Where(r => r.Path != "/redfish/v1" && r.Method != "POST"), r => Assert.True(r.Authorized, $"{r.Method} {r.Path} was not authenticated"));
        Assert.Equal("fleet", requests.First(r => r.Method == "POST").Body!["UserName"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_service_without_sessions_is_spoken_to_with_HTTP_Basic_credentials()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.HasSessionService = false;

        await bed.Driver().PowerOnAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["On"], bed.Bmc.Resets);
        Assert.DoesNotContain(bed.Bmc.Requests, r => r.Path.StartsWith("/redfish/v1/SessionService", StringComparison.Ordinal));
        Assert.All(bed.Bmc.Requests.Where(r => r.Path != "/redfish/v1"), r => Assert.True(r.Authorized));
    }

    [Fact]
    public async Task A_machine_powering_on_is_reported_once_it_is_on()
    {
        await using var bed = await RedfishBed.StartAsync();
        var driver = bed.Driver();
        bed.Bmc.PowerState = "PoweringOn";
        bed.Bmc.BeforeRequest = (bmc, request) =>
        {
            if (request.Path == "/redfish/v1/Systems/1" && bmc.Requests.Count(r => r.Path == request.Path) == 3)
            {
                bmc.PowerState = "On";
            }
        };

        Assert.Equal(PowerState.On, await driver.GetPowerStateAsync(bed.Machine(bed.Bmc), None));
    }

    [Fact]
    public async Task Power_on_resets_with_On_waits_until_the_system_is_on_and_leaves_a_running_machine_alone()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerDelay = TimeSpan.FromMilliseconds(300);
        var driver = bed.Driver();
        var machine = bed.Machine(bed.Bmc);

        await driver.PowerOnAsync(machine, None);
        Assert.Equal("On", bed.Bmc.PowerState); // waited through PoweringOn
        await driver.PowerOnAsync(machine, None);

        Assert.Equal(["On"], bed.Bmc.Resets);
        Assert.Equal(["Hdd"], bed.Bmc.Boots);
        Assert.Equal(0, bed.Bmc.OpenSessions);
    }

    [Fact]
    public async Task Power_off_is_ForceOff()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";
        var driver = bed.Driver();

        await driver.PowerOffAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["ForceOff"], bed.Bmc.Resets);
        Assert.Equal("Off", bed.Bmc.PowerState);
    }

    [Fact]
    public async Task Cycle_of_a_running_machine_is_PowerCycle()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";

        await bed.Driver().PowerCycleAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["PowerCycle"], bed.Bmc.Resets);
        Assert.Equal(["Hdd"], bed.Bmc.Boots);
    }

    [Fact]
    public async Task Cycle_falls_back_to_ForceRestart_on_a_system_whose_ActionInfo_does_not_allow_PowerCycle()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";
        bed.Bmc.ResetTypes = ["On", "ForceOff", "ForceRestart"];
        bed.Bmc.ResetTypesInActionInfo = true;

        await bed.Driver().PowerCycleAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["ForceRestart"], bed.Bmc.Resets);
        Assert.Contains(bed.Bmc.Requests, r => r is { Method: "GET", Path: "/redfish/v1/Systems/1/ResetActionInfo" });
    }

    [Fact]
    public async Task Cycle_of_a_machine_that_is_off_powers_it_on_so_it_boots_all_the_same()
    {
        await using var bed = await RedfishBed.StartAsync();

        await bed.Driver().PowerCycleAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["On"], bed.Bmc.Resets);
        Assert.Equal("On", bed.Bmc.PowerState);
        Assert.Equal(["Hdd"], bed.Bmc.Boots);
    }

    [Fact]
    public async Task One_time_PXE_sets_the_boot_override_with_If_Match_and_the_next_boot_consumes_it()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";
        var driver = bed.Driver();
        var machine = bed.Machine(bed.Bmc);

        await driver.SetOneTimePxeBootAsync(machine, BootImage.Installer, None);

        Assert.Equal(("Pxe", "Once"), (bed.Bmc.BootSourceOverrideTarget, bed.Bmc.BootSourceOverrideEnabled));
        var patch = Assert.Single(bed.Bmc.Requests, r => r.Method == "PATCH");
        Assert.Equal("/redfish/v1/Systems/1", patch.Path);
        Assert.Equal("""{"Boot":{"BootSourceOverrideTarget":"Pxe","BootSourceOverrideEnabled":"Once"}}""", patch.Body!.ToJsonString());
        Assert.Matches("^W/\"[0-9]+\"$", patch.IfMatch);

        await driver.PowerCycleAsync(machine, None);
        await driver.PowerCycleAsync(machine, None);
        Assert.Equal(["Pxe", "Hdd"], bed.Bmc.Boots); // once only
        Assert.Equal(("None", "Disabled"), (bed.Bmc.BootSourceOverrideTarget, bed.Bmc.BootSourceOverrideEnabled));
    }

    [Fact]
    public async Task A_stale_ETag_is_read_again_and_the_PATCH_retried_once()
    {
        await using var bed = await RedfishBed.StartAsync();
        var touched = false;
        bed.Bmc.BeforeRequest = (bmc, request) =>
        {
            if (request.Method == "PATCH" && !touched)
            {
                touched = true;
                bmc.Touch(); // someone else changed the system between our read and our write
            }
        };

        await bed.Driver().SetOneTimePxeBootAsync(bed.Machine(bed.Bmc), BootImage.Sanitize, None);

        var patches = bed.Bmc.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(2, patches.Count);
        Assert.NotEqual(patches[0].IfMatch, patches[1].IfMatch);
        Assert.Equal(("Pxe", "Once"), (bed.Bmc.BootSourceOverrideTarget, bed.Bmc.BootSourceOverrideEnabled));
    }

    [Fact]
    public async Task A_session_that_expires_mid_way_is_replaced_by_logging_in_again_once()
    {
        await using var bed = await RedfishBed.StartAsync();
        var expired = false;
        bed.Bmc.BeforeRequest = (bmc, request) =>
        {
            if (request.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal) && !expired)
            {
                expired = true;
                bmc.ExpireSessions(); // the BMC rebooted its management controller, or the session timed out
            }
        };

        await bed.Driver().PowerOnAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal(["On"], bed.Bmc.Resets);
        Assert.Equal(2, bed.Bmc.Requests.Count(r => r is { Method: "POST", Path: "/redfish/v1/SessionService/Sessions" }));
        Assert.Equal(0, bed.Bmc.OpenSessions);
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_error_that_names_the_BMC_and_user_but_never_the_password()
    {
        await using var bed = await RedfishBed.StartAsync();
        const string wrong = "not-the-Pa55word";
        var driver = bed.Driver(password: wrong);

        var error = await Assert.ThrowsAsync<FleetException>(() => driver.GetPowerStateAsync(bed.Machine(bed.Bmc), None));

        var port = bed.Server.PortOf(bed.Bmc);
        Assert.Contains($"redfish BMC 127.0.0.1:{port} of SN1: login as fleet failed: HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("invalid user name or password", error.Message, StringComparison.Ordinal);
        Assert.Contains("check power.username (fleet) and the password that power.password names", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bed.Bmc.Password, error.Message, StringComparison.Ordinal);
        Assert.Empty(bed.Bmc.Resets);
    }

    [Fact]
    public async Task An_account_without_the_privilege_to_configure_is_told_what_it_lacks()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.ReadOnlyAccount = true;

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().SetOneTimePxeBootAsync(bed.Machine(bed.Bmc), BootImage.Installer, None));

        Assert.Contains("one-time PXE boot override failed: HTTP 403 Forbidden: There are insufficient privileges", error.Message, StringComparison.Ordinal);
        Assert.Contains("(Base.1.16.InsufficientPrivilege)", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("the BMC account fleet needs the ConfigureComponents privilege (the Operator role has it)", error.Message, StringComparison.Ordinal);
        Assert.Equal(("None", "Disabled"), (bed.Bmc.BootSourceOverrideTarget, bed.Bmc.BootSourceOverrideEnabled));
    }

    [Fact]
    public async Task A_password_the_BMC_echoes_back_in_an_error_is_masked()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.ResetTypes = ["On", "ForceOff"];
        bed.Bmc.BeforeRequest = (bmc, request) =>
        {
            if (request.Method == "POST" && request.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal))
            {
                bmc.ResetTypes = [bmc.Password]; // a careless BMC that puts anything into its messages
            }
        };

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerOnAsync(bed.Machine(bed.Bmc), None));

        Assert.DoesNotContain(bed.Bmc.Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_type_the_BMC_refuses_reports_its_Redfish_message_id_and_resolution()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";
        bed.Bmc.BeforeRequest = (bmc, request) =>
        {
            if (request.Method == "POST" && request.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal))
            {
                bmc.ResetTypes = ["On", "ForceOff"]; // the firmware allows less than it advertised
            }
        };

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerCycleAsync(bed.Machine(bed.Bmc), None));

        Assert.Contains("reset PowerCycle failed: HTTP 400 Bad Request: The parameter PowerCycle for the action ComputerSystem.Reset is not supported on the target resource. (Base.1.16.ActionParameterNotSupported) Resolution: Remove the parameter supplied", error.Message, StringComparison.Ordinal);
        Assert.Empty(bed.Bmc.Resets);
    }

    [Fact]
    public async Task A_system_that_allows_no_suitable_reset_type_is_refused_before_anything_is_sent()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.ResetTypes = ["ForceOff", "Nmi"];

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerOnAsync(bed.Machine(bed.Bmc), None));

        Assert.Contains("/redfish/v1/Systems/1 does not allow reset type On (it allows ForceOff, Nmi)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(bed.Bmc.Requests, r => r.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_BMC_with_several_systems_is_refused_with_their_ids()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.SystemCount = 2;

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().GetPowerStateAsync(bed.Machine(bed.Bmc), None));

        Assert.Contains("of SN1: expected exactly one ComputerSystem in /redfish/v1/Systems, found 2 (/redfish/v1/Systems/1, /redfish/v1/Systems/2)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Bmc.OpenSessions);
    }

    [Fact]
    public async Task An_asynchronous_reset_is_followed_through_its_task_monitor_honouring_Retry_After()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.ResetsAsTasks = true;
        bed.Bmc.RetryAfterSeconds = 1;
        bed.Bmc.PowerDelay = TimeSpan.FromMilliseconds(1500);

        await bed.Driver().PowerOnAsync(bed.Machine(bed.Bmc), None);

        Assert.Equal("On", bed.Bmc.PowerState);
        var requests = bed.Bmc.Requests;
        var reset = requests.Single(r => r.Path.EndsWith("ComputerSystem.Reset", StringComparison.Ordinal));
        var polls = requests.Where(r => r.Path.StartsWith("/redfish/v1/TaskService/TaskMonitors/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, polls.Count); // 202 at 1 s, then 200 at 2 s
        Assert.All(polls.Prepend(reset).Zip(polls), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromMilliseconds(950), "polled before Retry-After"));
    }

    [Fact]
    public async Task A_link_to_another_server_is_refused_before_the_session_token_goes_there()
    {
        await using var bed = await RedfishBed.StartAsync(bmcs: 2);
        var (bmc, elsewhere) = (bed.Server.Bmcs[0], bed.Server.Bmcs[1]);
        bmc.ResetsAsTasks = true;
        bmc.PowerDelay = TimeSpan.FromMilliseconds(100);
        bmc.TaskMonitorServer = $"https://127.0.0.1:{bed.Server.PortOf(elsewhere)}";

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerOnAsync(bed.Machine(bmc), None));

        Assert.Contains($"the BMC linked to https://127.0.0.1:{bed.Server.PortOf(elsewhere)}, another server than itself", error.Message, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Equal(0, bmc.OpenSessions);
    }

    [Fact]
    public async Task A_reset_task_that_ends_in_an_exception_fails_with_the_tasks_message()
    {
        await using var bed = await RedfishBed.StartAsync();
        bed.Bmc.PowerState = "On";
        bed.Bmc.ResetsAsTasks = true;
        bed.Bmc.FailNextTask = true;
        bed.Bmc.PowerDelay = TimeSpan.FromMilliseconds(100);

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerCycleAsync(bed.Machine(bed.Bmc), None));

        Assert.Contains("reset PowerCycle: the BMC's task ended Exception (Critical): The request failed due to an internal service error.", error.Message, StringComparison.Ordinal);
        Assert.Contains("(Base.1.16.InternalError)", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, bed.Bmc.OpenSessions);
    }

    [Fact]
    public async Task A_BMC_certificate_that_is_not_trusted_is_a_TLS_error_that_points_at_caFile()
    {
        await using var bed = await RedfishBed.StartAsync();
        var driver = bed.Driver(caFile: null); // the system store knows nothing of the site's CA

        var error = await Assert.ThrowsAsync<FleetException>(() => driver.GetPowerStateAsync(bed.Machine(bed.Bmc), None));

        Assert.Contains($"redfish BMC 127.0.0.1:{bed.Server.PortOf(bed.Bmc)} of SN1: GET https://127.0.0.1:{bed.Server.PortOf(bed.Bmc)}/redfish/v1/: TLS handshake failed", error.Message, StringComparison.Ordinal);
        Assert.Contains("power.caFile", error.Message, StringComparison.Ordinal);
        Assert.Empty(bed.Bmc.Requests);
    }

    [Fact]
    public async Task A_self_signed_BMC_certificate_that_names_no_address_is_trusted_when_pinned_in_caFile()
    {
        using var certificate = TestCertificates.SelfSignedWithoutAddress();
        await using var bed = await RedfishBed.StartAsync(serverCertificate: certificate);
        await File.WriteAllTextAsync(Path.Combine(bed.FleetDirectory, "certs.pem"), TestCertificates.Pem(certificate));

        Assert.Equal(PowerState.Off, await bed.Driver(caFile: "certs.pem").GetPowerStateAsync(bed.Machine(bed.Bmc), None));

        // The site CA does not vouch for it.
        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver(caFile: "ca.pem").GetPowerStateAsync(bed.Machine(bed.Bmc), None));
        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_that_does_not_chain_to_the_CA_of_caFile_is_not_trusted()
    {
        var (other, _) = TestCertificates.IssuedByCa("Some other CA");
        using (other)
        {
            await using var bed = await RedfishBed.StartAsync();
            await File.WriteAllTextAsync(Path.Combine(bed.FleetDirectory, "other.pem"), TestCertificates.Pem(other));

            var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver(caFile: "other.pem").GetPowerStateAsync(bed.Machine(bed.Bmc), None));

            Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_port_where_nothing_listens_is_an_error_naming_the_endpoint()
    {
        await using var bed = await RedfishBed.StartAsync();
        var port = FakeRedfishServer.ClosedPort();

        var error = await Assert.ThrowsAsync<FleetException>(() => bed.Driver().PowerOnAsync(RedfishBed.At(port, "SN9"), None));

        Assert.Contains($"redfish BMC 127.0.0.1:{port} of SN9: GET https://127.0.0.1:{port}/redfish/v1/: cannot reach the BMC: Connection refused", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_BMC_that_never_answers_times_out_per_request()
    {
        await using var bed = await RedfishBed.StartAsync();
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // connections are accepted by the kernel, and nothing ever answers
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var driver = bed.Driver(options: RedfishBed.Options with { RequestTimeout = TimeSpan.FromMilliseconds(500) });

        var error = await Assert.ThrowsAsync<FleetException>(() => driver.GetPowerStateAsync(RedfishBed.At(port), None));

        Assert.Contains($"redfish BMC 127.0.0.1:{port} of SN1: GET https://127.0.0.1:{port}/redfish/v1/: no answer within 0.5 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twenty_machines_are_booted_from_the_network_in_parallel_through_one_driver()
    {
        await using var bed = await RedfishBed.StartAsync(bmcs: 20);
        var driver = bed.Driver();
        foreach (var (bmc, i) in bed.Server.Bmcs.Select((b, i) => (b, i)))
        {
            if (i % 2 == 0)
            {
                bmc.PowerState = "On";
            }
            else
            {
                bmc.PowerDelay = TimeSpan.FromMilliseconds(100); // powering on is waited for
            }
        }

        await Task.WhenAll(bed.Server.Bmcs.Select(async bmc =>
        {
            var machine = bed.Machine(bmc);
            await driver.SetOneTimePxeBootAsync(machine, BootImage.Installer, None);
            if (await driver.GetPowerStateAsync(machine, None) == PowerState.On)
            {
                await driver.PowerCycleAsync(machine, None);
            }
            else
            {
                await driver.PowerOnAsync(machine, None);
            }
        }));

        Assert.Equal(20, bed.Server.Bmcs.Count);
        Assert.All(bed.Server.Bmcs, bmc =>
        {
            Assert.Equal(["Pxe"], bmc.Boots);
            Assert.Equal(0, bmc.OpenSessions);
        });
        Assert.Equal(10, bed.Server.Bmcs.Count(b => b.Resets is ["PowerCycle"]));
        Assert.Equal(10, bed.Server.Bmcs.Count(b => b.Resets is ["On"]));
    }

    [Theory]
    [InlineData(null, 443)]
    [InlineData(623, 443)]
    [InlineData(8443, 8443)]
    public void The_BMC_is_reached_on_443_unless_the_inventory_names_another_port_than_IPMIs(int? inventoryPort, int port)
    {
        var (root, endpoint) = RedfishPowerDriver.Address(RedfishBed.At(inventoryPort, address: "10.1.2.3"));

        Assert.Equal(new Uri($"https://10.1.2.3:{port}/"), root);
        Assert.Equal($"BMC 10.1.2.3:{port} of SN1", endpoint);
    }

    [Fact]
    public void An_IPv6_BMC_address_is_bracketed()
    {
        var (root, endpoint) = RedfishPowerDriver.Address(RedfishBed.At(null, address: "fd00::5"));

        Assert.Equal("https://[fd00::5]/", root.ToString());
        Assert.Equal("BMC [fd00::5]:443 of SN1", endpoint);
    }

    [Fact]
    public void A_site_without_credentials_reports_both_missing_fields_at_once()
    {
        var power = RedfishBed.Power(caFile: "missing.pem", username: null, password: null);

        var error = Assert.Throws<FleetException>(() => RedfishPowerDriver.Create(power, Path.GetTempPath(), _ => null));

        Assert.Equal(3, error.Diagnostics.Length);
        Assert.Contains(error.Diagnostics, d => d.Message.Contains("needs username", StringComparison.Ordinal));
        Assert.Contains(error.Diagnostics, d => d.Message.Contains("needs password: a reference to the BMC password, env:NAME or file:PATH", StringComparison.Ordinal));
        Assert.Contains(error.Diagnostics, d => d.Message.Contains("missing.pem' (power.caFile)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_password_variable_that_is_not_set_is_named_without_any_value()
    {
        var error = Assert.Throws<FleetException>(() => RedfishPowerDriver.Create(RedfishBed.Power(caFile: null), Path.GetTempPath(), _ => null));

        Assert.Equal($"the environment variable {RedfishBed.PasswordVariable} (from 'env:{RedfishBed.PasswordVariable}') is not set", Assert.Single(error.Diagnostics).Message);
    }
}
