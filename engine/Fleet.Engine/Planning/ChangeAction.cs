using System.Collections.Immutable;

namespace Fleet.Engine.Planning;

/// <summary>
/// The closed set of effects a change can have, as in Terraform's <c>plans.Action</c>. Every action a
/// provider declares maps to one of them; the kind, never the action's name, drives symbols,
/// summaries and safety.
/// </summary>
public enum ChangeKind
{
    /// <summary>Brings something into service (<c>+</c>).</summary>
    Create,

    /// <summary>Changes something in place (<c>~</c>).</summary>
    Update,

    /// <summary>Takes something out of service and puts a new one in its place (<c>-/+</c>).</summary>
    Replace,

    /// <summary>Takes something out of service (<c>-</c>).</summary>
    Delete,
}

/// <summary>
/// What a change does, by its wire name (<c>action</c> in the plan file). A plan file is read without
/// providers, so a change keeps only the name; what it means (<see cref="ActionDescriptor"/>) comes
/// from the providers' declarations, through an <see cref="ActionCatalog"/>.
/// </summary>
public readonly record struct ChangeAction(string Name)
{
    public override string ToString() => Name ?? string.Empty;
}

/// <summary>
/// An action as a provider declares it (<see cref="Providers.ProviderCapabilities.Actions"/>): its wire
/// name, its <see cref="ChangeKind"/>, and how people read it. <see cref="Noun"/> is what it acts on
/// ("machine", "group", "zone"), <see cref="Verb"/> what it does to it ("install", "push").
/// </summary>
public sealed record ActionDescriptor(string Name, ChangeKind Kind, string Noun, string Verb)
{
    /// <summary>The value changes carry.</summary>
    public ChangeAction Action => new(Name);

    /// <summary>Lets a provider write <c>Action = MyActions.Push</c> and <c>change.Action == MyActions.Push</c>.</summary>
    public static implicit operator ChangeAction(ActionDescriptor descriptor) => descriptor.Action;

    /// <summary>Whether the plan's summary sentence counts this action even when the plan has none of it ("0 to recycle").</summary>
    public bool AlwaysSummarized { get; init; }

    /// <summary>Whether the summary sentence names the noun: "2 zones to push" rather than "2 to install".</summary>
    public bool SummaryNamesNoun { get; init; } = true;

    /// <summary>
    /// Whether a change of this action changes machines (their hostnames, addresses, pools or states),
    /// so that changes consuming machines (a zone push) wait for it.
    /// </summary>
    public bool ChangesMachines { get; init; }

    /// <summary>
    /// What stands for an action no registered provider declares (a change built in memory by hand):
    /// an update, named by its wire name.
    /// </summary>
    public static ActionDescriptor Undeclared(ChangeAction action) => new(action.Name, ChangeKind.Update, "change", action.Name) { SummaryNamesNoun = false };
}

/// <summary>
/// The actions of a set of providers, in declaration order (providers in registration order, each
/// provider's actions in the order it lists them). Wire names are the plan's vocabulary, so each has
/// one meaning: a name declared again with the same meaning counts once, with another is refused.
/// </summary>
public sealed class ActionCatalog
{
    private readonly Dictionary<string, ActionDescriptor> byName = new(StringComparer.Ordinal);

    public ActionCatalog(IEnumerable<ActionDescriptor> actions)
    {
        var all = ImmutableArray.CreateBuilder<ActionDescriptor>();
        foreach (var action in actions)
        {
            if (byName.TryAdd(action.Name, action))
            {
                all.Add(action);
            }
            else if (byName[action.Name] != action)
            {
                throw new ArgumentException($"action '{action.Name}' is declared twice, with different meanings", nameof(actions));
            }
        }

        All = all.ToImmutable();
    }

    public static ActionCatalog Empty { get; } = new([]);

    /// <summary>Every declared action, in declaration order.</summary>
    public ImmutableArray<ActionDescriptor> All { get; }

    /// <summary>The actions of <paramref name="providers"/>, as their capabilities declare them.</summary>
    public static ActionCatalog Of(IEnumerable<Providers.IProvider> providers) => new(providers.SelectMany(p => p.Capabilities.Actions));

    public bool Declares(string name) => byName.ContainsKey(name);

    public bool TryGet(ChangeAction action, out ActionDescriptor descriptor) =>
        byName.TryGetValue(action.Name ?? string.Empty, out descriptor!);

    /// <summary>The declaration of <paramref name="action"/>, or <see cref="ActionDescriptor.Undeclared"/>.</summary>
    public ActionDescriptor Describe(ChangeAction action) => TryGet(action, out var descriptor) ? descriptor : ActionDescriptor.Undeclared(action);

    public ChangeKind KindOf(ChangeAction action) => Describe(action).Kind;
}
