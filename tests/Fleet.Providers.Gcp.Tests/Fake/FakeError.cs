using System.Text.Json.Nodes;

namespace Fleet.Providers.Gcp.Tests.Fake;

/// <summary>An error the fake answers with, in Google's format: <c>{"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}</c>.</summary>
public sealed class FakeError(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public static FakeError NotFound(string message) => new(404, "notFound", message);

    public static FakeError AlreadyExists(string resource) => new(409, "alreadyExists", $"The resource '{resource}' already exists");

    public static FakeError Invalid(string message) => new(400, "invalid", message);

    public static FakeError Unauthenticated(string message, string reason) => new(401, reason, message);

    public JsonObject Body() => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = Code,
            ["message"] = Message,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = Message, ["domain"] = "global", ["reason"] = Reason }),
            ["status"] = Code switch
            {
                400 => "INVALID_ARGUMENT",
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                409 => "ALREADY_EXISTS",
                429 => "RESOURCE_EXHAUSTED",
                503 => "UNAVAILABLE",
                _ => "UNKNOWN",
            },
        },
    };
}
