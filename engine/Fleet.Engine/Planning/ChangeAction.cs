namespace Fleet.Engine.Planning;

/// <summary>The closed set of things a plan can do (DESIGN.md, Plan).</summary>
public enum ChangeAction
{
    Install,
    Recycle,
    CreateGroup,
    Resize,
    UpdateTemplate,
    DeleteGroup,
    ZoneCreate,
    ZonePush,
}

public static class ChangeActions
{
    public static string ToWire(this ChangeAction action) => action switch
    {
        ChangeAction.Install => "install",
        ChangeAction.Recycle => "recycle",
        ChangeAction.CreateGroup => "create_group",
        ChangeAction.Resize => "resize",
        ChangeAction.UpdateTemplate => "update_template",
        ChangeAction.DeleteGroup => "delete_group",
        ChangeAction.ZoneCreate => "zone_create",
        ChangeAction.ZonePush => "zone_push",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string text, out ChangeAction action)
    {
        foreach (var candidate in Enum.GetValues<ChangeAction>())
        {
            if (candidate.ToWire() == text)
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }
}
