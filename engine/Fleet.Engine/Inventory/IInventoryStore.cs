using System.Collections.Immutable;

namespace Fleet.Engine.Inventory;

/// <summary>
/// The source of truth for physical machines and applied pools (DESIGN.md, Inventory). The store,
/// not its callers, enforces the lifecycle: every state change is a compare-and-swap on the row
/// <see cref="Machine.Version"/>, checked against <see cref="MachineStates.IsAllowed"/>, and appended
/// to the audit log in the same transaction. Implementations behave identically on every backend.
/// </summary>
public interface IInventoryStore
{
    /// <summary>Machines matching the filter (all when null), ordered by hardware name (ordinal).</summary>
    Task<ImmutableArray<Machine>> ListMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken);

    /// <summary>
    /// The same machines in the same order, yielded as they are read, for output of any size in
    /// constant memory. The read holds a connection until the enumeration ends.
    /// </summary>
    IAsyncEnumerable<Machine> StreamMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken);

    /// <summary>One page of the machines a query matches, filtered, searched and paged in the database.</summary>
    Task<MachinePage> PageMachinesAsync(MachinePageQuery query, CancellationToken cancellationToken);

    /// <summary>Machines counted per site, state, pool, hardware type and role, in one grouped query.</summary>
    Task<ImmutableArray<MachineCount>> CountMachinesAsync(CancellationToken cancellationToken);

    Task<Machine?> GetMachineAsync(string hardwareName, CancellationToken cancellationToken);

    /// <summary>The machine one of whose interfaces has this MAC (in the normal form recon ingest stores), by index.</summary>
    Task<Machine?> FindMachineByMacAsync(string mac, CancellationToken cancellationToken);

    /// <summary>Pools as last applied, ordered by name.</summary>
    Task<ImmutableArray<PoolRecord>> ListPoolsAsync(CancellationToken cancellationToken);

    Task<PoolRecord?> GetPoolAsync(string name, CancellationToken cancellationToken);

    /// <summary>Records a pool's backend, role, image and protection when it is applied; bumps its version.</summary>
    Task<PoolRecord> UpsertPoolAsync(PoolUpdate pool, CancellationToken cancellationToken);

    /// <summary>Forgets a pool that was destroyed. A protected pool is refused with a <see cref="Diagnostics.FleetException"/>.</summary>
    Task<bool> DeletePoolAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Moves one machine to a new state if, and only if, its row still has
    /// <see cref="MachineTransition.ExpectedVersion"/>. Throws <see cref="ConcurrencyConflictException"/>
    /// when someone else changed the machine first or took the hostname (re-read and retry), and a
    /// <see cref="Diagnostics.FleetException"/> for an unknown machine or a transition the lifecycle
    /// does not allow. Returns the machine as stored, with its new version.
    /// </summary>
    Task<Machine> TransitionAsync(MachineTransition transition, AuditContext audit, CancellationToken cancellationToken);

    /// <summary>
    /// Adds unknown machines as <see cref="MachineState.Available"/> and updates the hardware facts of
    /// known ones (never their state, hostname, role, pool or image), all in one transaction. A MAC, IP
    /// or BMC owned by another serial, or a new site or hardware type for a machine that is installing or
    /// in use, is a <see cref="Diagnostics.FleetException"/> naming every offending record, and nothing is written.
    /// </summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<ReconRecord> records, AuditContext audit, CancellationToken cancellationToken);

    /// <summary>
    /// Adds machines the inventory does not know, for callers that must not change a known machine (an
    /// unauthenticated recon registration could otherwise repoint its BMC or move its MACs). They are
    /// <see cref="MachineState.New"/>, waiting for <see cref="ApproveAsync"/>, except in
    /// <paramref name="autoApprovedSites"/>, where they are available at once. A known serial, a
    /// duplicate or an address or BMC owned by another machine is returned in
    /// <see cref="Registration.Conflicts"/>, and nothing is written.
    /// </summary>
    Task<Registration> RegisterAsync(IReadOnlyList<ReconRecord> records, IReadOnlySet<string> autoApprovedSites, AuditContext audit, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the new machines <paramref name="approval"/> selects available, all in one transaction with
    /// an audit row each, and returns them. A named serial that is unknown, not new or outside the
    /// filters is a <see cref="Diagnostics.FleetException"/> naming each, and nothing is written.
    /// </summary>
    Task<ImmutableArray<Machine>> ApproveAsync(Approval approval, AuditContext audit, CancellationToken cancellationToken);

    /// <summary>Every audit entry of one machine, oldest first.</summary>
    Task<ImmutableArray<AuditEntry>> ListAuditAsync(string hardwareName, CancellationToken cancellationToken);
}
