using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Fleet.Engine.Jobs;
using Fleet.Engine.Planning;
using Fleet.Engine.Tests.Planning;

namespace Fleet.Engine.Tests.Execution;

public class JobChangesTests
{
    [Fact]
    public void A_change_survives_the_trip_through_job_parameters()
    {
        var change = new PlannedChange
        {
            Id = "7",
            Address = "pool/db",
            Provider = "physical",
            Action = TestActions.Recycle,
            Reason = "replace",
            DependsOn = ["1", "2"],
            Machine = "SER1",
            Hostname = "lon-db-abcde",
            Site = "lon",
            Before = new JsonObject { ["size"] = 2 },
            Parameters = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("role", "db")]),
        };

        var json = JobChanges.ToJson(change);
        var back = JobChanges.FromJson(JsonNode.Parse(json.ToJsonString())!.AsObject());

        Assert.Equal(json.ToJsonString(), JobChanges.ToJson(back).ToJsonString());
        Assert.Equal(TestActions.Recycle, back.Action);
        Assert.Equal(new[] { "1", "2" }, back.DependsOn.ToArray());
        Assert.Equal("db", back.Parameters["role"]);
        Assert.Equal(2, back.Before!["size"]!.GetValue<int>());
    }
}
