using System.Net;
using Fleet.Providers.Gcp;
using Fleet.Providers.Gcp.Compute;
using Fleet.Providers.Gcp.Tests.Fake;

namespace Fleet.Providers.Gcp.Tests.Compute;

/// <summary>The Compute Engine client against the fake: authentication, operations, errors, retries and pagination.</summary>
public sealed class ComputeClientTests : FakeCompute
{
    private const string Zone = "europe-west1-b";

    [Fact]
    public async Task A_service_account_key_is_exchanged_for_a_token_once_at_its_token_uri()
    {
        var client = await ClientWithKeyAsync();

        Assert.True(await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None));
        Assert.NotNull(await client.GetInstanceTemplateAsync("web-0123456789", CancellationToken.None));
        Assert.Equal(1, Fake.TokenExchanges);
    }

    [Fact]
    public async Task A_token_the_api_does_not_know_is_refused_with_googles_401_and_the_token_is_not_repeated()
    {
        var client = Client(new StaticToken("ya29.not-a-real-token"));

        var error = await Assert.ThrowsAsync<ComputeException>(() => client.GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("authError", error.Reason);
        Assert.Equal($"GET projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web: 401 authError: Invalid Credentials", error.Message);
        Assert.DoesNotContain("ya29", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_api_error_that_quotes_the_authorization_header_does_not_print_the_token()
    {
        const string Token = "ya29.a0AfB_byC-secret-access-token";
        var body = $$$"""{"error": {"code": 400, "message": "Invalid header 'Authorization: Bearer {{{Token}}}' for {{{Token}}}", "errors": [{"reason": "badRequest"}]}}""";
        using var http = new HttpClient(new Answer(HttpStatusCode.BadRequest, body));
        var client = new ComputeClient(http, new StaticToken(Token), Fake.Endpoint, FakeComputeEngine.Project, TimeProvider.System, FastOptions);

        var error = await Assert.ThrowsAsync<ComputeException>(() => client.GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.Equal($"GET projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web: 400 badRequest: Invalid header 'Authorization: Bearer ***' for ***", error.Message);
    }

    [Fact]
    public async Task A_token_endpoint_error_that_quotes_the_signed_assertion_does_not_print_it()
    {
        const string Assertion = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJmbGVldCJ9.c2lnbmF0dXJlLW9mLXRoZS1rZXk";
        var client = Client(new FailingToken($"Error:\"invalid_grant\", Description:\"Invalid JWT: assertion={Assertion}\", Uri:\"\""));

        var error = await Assert.ThrowsAsync<ComputeException>(() => client.GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.Equal($"cannot get an access token for project {FakeComputeEngine.Project}: Error:\"invalid_grant\", Description:\"Invalid JWT: assertion=***\", Uri:\"\"", error.Message);
        Assert.Null(error.InnerException);
    }

    private sealed class Answer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });
    }

    private sealed class FailingToken(string message) : Google.Apis.Auth.OAuth2.ITokenAccess
    {
        public Task<string> GetAccessTokenForRequestAsync(string? authUri = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(message);
    }

    [Fact]
    public async Task A_key_the_token_endpoint_does_not_trust_fails_with_a_message_naming_the_project_not_the_key()
    {
        var key = Fake.CreateServiceAccountKey();
        await using var other = await FakeComputeEngine.StartAsync();
        var foreignKey = other.CreateServiceAccountKey().Replace(other.TokenUri.AbsoluteUri, Fake.TokenUri.AbsoluteUri, StringComparison.Ordinal);
        var spec = new GcpSpec(FakeComputeEngine.Project, "env:K", null, Fleet.Engine.Model.FieldLocations.At(new Fleet.Engine.Diagnostics.SourceLocation("fleet.yaml", 1, 1)));
        var credential = await Gcp.Auth.GcpCredentials.CreateAsync(spec, "/", _ => foreignKey, CancellationToken.None);

        var error = await Assert.ThrowsAsync<ComputeException>(() => Client(credential).GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.StartsWith($"cannot get an access token for project {FakeComputeEngine.Project}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(key, foreignKey);
    }

    [Fact]
    public async Task Inserting_a_template_that_exists_is_not_an_error_and_a_missing_one_reads_as_null()
    {
        var client = Client();

        Assert.True(await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None));
        Assert.False(await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None));
        Assert.Null(await client.GetInstanceTemplateAsync("missing", CancellationToken.None));
        Assert.Equal("n2-standard-8", (await client.GetInstanceTemplateAsync("web-0123456789", CancellationToken.None))!.Properties.MachineType);
    }

    [Fact]
    public async Task A_created_group_waits_for_its_operation_and_becomes_stable_as_its_instances_come_up()
    {
        await using var slow = await FakeComputeEngine.StartAsync(FakeComputeTimings.Fast with { InstanceStart = TimeSpan.FromSeconds(1) });
        using var http = new HttpClient();
        var client = new ComputeClient(http, new StaticToken(slow.IssueToken()), slow.Endpoint, FakeComputeEngine.Project, TimeProvider.System, FastOptions);
        await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None);

        Assert.True(await client.InsertGroupAsync(Zone, new InstanceGroupManager("web", "managed", client.TemplatePath("web-0123456789"), "web", 3), CancellationToken.None));
        var created = await client.GetGroupAsync(Zone, "web", CancellationToken.None);
        Assert.False(created!.Status!.IsStable); // the operation is done; the instances are still being created
        Assert.Contains(await client.ListManagedInstancesAsync(Zone, "web", CancellationToken.None), i => i.CurrentAction == "CREATING");

        var stable = created;
        for (var i = 0; i < 100 && stable?.Status?.IsStable != true; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
            stable = await client.GetGroupAsync(Zone, "web", CancellationToken.None);
        }

        Assert.True(stable!.Status!.IsStable);
        Assert.Equal(3, stable.TargetSize);
        Assert.All(await client.ListManagedInstancesAsync(Zone, "web", CancellationToken.None), i => Assert.Equal(("NONE", "RUNNING"), (i.CurrentAction, i.InstanceStatus)));
        Assert.EndsWith("/global/instanceTemplates/web-0123456789", stable.InstanceTemplate, StringComparison.Ordinal);
        Assert.Contains(slow.Calls, c => c.StartsWith($"POST projects/{FakeComputeEngine.Project}/zones/{Zone}/operations/", StringComparison.Ordinal) && c.EndsWith("/wait", StringComparison.Ordinal));
        Assert.False(await client.InsertGroupAsync(Zone, new InstanceGroupManager("web", "managed", client.TemplatePath("web-0123456789"), "web", 3), CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_operation_surfaces_its_errors_naming_the_resource_and_project()
    {
        var client = Client();
        await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None);
        await client.InsertGroupAsync(Zone, new InstanceGroupManager("web", null, client.TemplatePath("web-0123456789"), "web", 1), CancellationToken.None);
        Fake.State.FailNextOperation("QUOTA_EXCEEDED", "Quota 'CPUS' exceeded.  Limit: 24.0 in region europe-west1.");

        var error = await Assert.ThrowsAsync<ComputeOperationException>(() => client.ResizeAsync(Zone, "web", 50, CancellationToken.None));

        Assert.Equal(
            $"resize of projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web to 50 failed in project {FakeComputeEngine.Project}: QUOTA_EXCEEDED: Quota 'CPUS' exceeded.  Limit: 24.0 in region europe-west1.",
            error.Message);
        Assert.Equal("QUOTA_EXCEEDED", error.Reason);
        Assert.Equal(1, (await client.GetGroupAsync(Zone, "web", CancellationToken.None))!.TargetSize);
    }

    [Theory]
    [InlineData(503, "backendError")]
    [InlineData(429, "rateLimitExceeded")]
    [InlineData(403, "rateLimitExceeded")]
    public async Task Transient_failures_are_retried_with_backoff(int status, string reason)
    {
        var client = Client();
        Fake.FailNextCalls(status, reason, times: 3);

        Assert.True(await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None));
        Assert.Equal(4, Fake.Calls.Count(c => c == $"POST projects/{FakeComputeEngine.Project}/global/instanceTemplates"));
    }

    [Fact]
    public async Task Retries_stop_after_the_budget_with_the_last_error()
    {
        var client = Client();
        Fake.FailNextCalls(503, "backendError", times: 10);

        var error = await Assert.ThrowsAsync<ComputeException>(() => client.GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.Equal(FastOptions.MaxAttempts, Fake.Calls.Count);
    }

    [Fact]
    public async Task Not_found_is_null_or_nothing_to_delete_and_a_bad_request_names_the_group()
    {
        var client = Client();

        Assert.Null(await client.GetGroupAsync(Zone, "web", CancellationToken.None));
        Assert.False(await client.DeleteGroupAsync(Zone, "web", CancellationToken.None));
        var error = await Assert.ThrowsAsync<ComputeException>(() => client.ResizeAsync(Zone, "web", 2, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Contains($"instanceGroupManagers/web", error.Message, StringComparison.Ordinal);

        await client.InsertInstanceTemplateAsync(Template("web-0123456789"), CancellationToken.None);
        var invalid = await Assert.ThrowsAsync<ComputeException>(() =>
            client.InsertGroupAsync(Zone, new InstanceGroupManager("Web_1", null, client.TemplatePath("web-0123456789"), "web", 1), CancellationToken.None));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Contains("Invalid value for field 'resource.name': 'Web_1'", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Managed_instances_and_groups_are_read_across_pages()
    {
        var client = Client(FastOptions with { PageSize = 2 });
        Fake.State.SeedGroup(Zone, "web", null, "web-0123456789", 5);
        Fake.State.SeedGroup(Zone, "api", null, "api-0123456789", 1);
        Fake.State.SeedGroup("us-east1-b", "batch", null, "batch-0123456789", 1);

        var instances = await client.ListManagedInstancesAsync(Zone, "web", CancellationToken.None);
        var groups = await client.ListGroupsAsync(CancellationToken.None);

        Assert.Equal(5, instances.Select(i => i.Instance).Distinct().Count());
        Assert.All(instances, i => Assert.Equal("NONE", i.CurrentAction));
        Assert.Equal(3, Fake.Calls.Count(c => c.EndsWith("/web/listManagedInstances", StringComparison.Ordinal)));
        Assert.Equal(["api", "batch", "web"], groups.Select(g => g.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, Fake.Calls.Count(c => c.EndsWith("aggregated/instanceGroupManagers", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Deleting_a_group_waits_until_it_is_gone()
    {
        var client = Client();
        Fake.State.SeedGroup(Zone, "web", null, "web-0123456789", 2);

        Assert.True(await client.DeleteGroupAsync(Zone, "web", CancellationToken.None));
        Assert.Null(await client.GetGroupAsync(Zone, "web", CancellationToken.None));
    }

    [Fact]
    public async Task The_fakes_operations_are_pending_then_running_then_done_as_the_api_documents()
    {
        await using var fake = await FakeComputeEngine.StartAsync(FakeComputeTimings.Fast with { Pending = TimeSpan.FromMilliseconds(200), Running = TimeSpan.FromSeconds(1.5) });
        fake.State.SeedGroup(Zone, "web", null, "web-0123456789", 1);
        using var http = new HttpClient { BaseAddress = fake.Endpoint };
        http.DefaultRequestHeaders.Authorization = new("Bearer", fake.IssueToken());

        var started = System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync($"projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web/resize?size=2", null)).Content.ReadAsStringAsync())!;
        var name = started["name"]!.GetValue<string>();
        await Task.Delay(TimeSpan.FromMilliseconds(400));
        var running = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync($"projects/{FakeComputeEngine.Project}/zones/{Zone}/operations/{name}"))!;
        var done = System.Text.Json.Nodes.JsonNode.Parse(await (await http.PostAsync($"projects/{FakeComputeEngine.Project}/zones/{Zone}/operations/{name}/wait", null)).Content.ReadAsStringAsync())!;

        Assert.Equal(("PENDING", "RUNNING", "DONE"), (started["status"]!.GetValue<string>(), running["status"]!.GetValue<string>(), done["status"]!.GetValue<string>()));
        Assert.Equal("compute.instanceGroupManagers.resize", done["operationType"]!.GetValue<string>());
        Assert.EndsWith($"/zones/{Zone}/instanceGroupManagers/web", done["targetLink"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(2, fake.State.FindGroup(Zone, "web")!.TargetSize);
    }

    [Fact]
    public async Task A_call_without_a_token_gets_googles_401_body()
    {
        using var http = new HttpClient { BaseAddress = Fake.Endpoint };

        using var response = await http.GetAsync($"projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web");
        var error = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, error["code"]!.GetValue<int>());
        Assert.Equal("UNAUTHENTICATED", error["status"]!.GetValue<string>());
        Assert.Equal(("global", "required"), (error["errors"]![0]!["domain"]!.GetValue<string>(), error["errors"]![0]!["reason"]!.GetValue<string>()));
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_does_not_answer_is_an_error_naming_it_after_the_retries()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var http = new HttpClient();
        var client = new ComputeClient(http, new StaticToken("t"), new Uri($"http://127.0.0.1:{port}/compute/v1/"), FakeComputeEngine.Project, TimeProvider.System, FastOptions);

        var error = await Assert.ThrowsAsync<ComputeException>(() => client.GetGroupAsync(Zone, "web", CancellationToken.None));

        Assert.StartsWith($"GET projects/{FakeComputeEngine.Project}/zones/{Zone}/instanceGroupManagers/web: cannot reach http://127.0.0.1:{port}:", error.Message, StringComparison.Ordinal);
    }
}
