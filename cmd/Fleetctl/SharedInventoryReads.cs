using System.Collections.Immutable;
using Fleet.Engine.Inventory;

namespace Fleetctl;

/// <summary>
/// The inventory as the providers see it. While a plan reads the actual state (<see cref="Share"/>),
/// the first list of every machine is kept and handed to each provider that asks for it, so the
/// physical and DNS providers plan from one read instead of reading the whole inventory each.
/// Outside that scope every call goes straight to the store: apply always sees the inventory as it is.
/// </summary>
/// <param name="readAhead">Every machine, read while the command validated its YAML (<see cref="OpenedFleet"/>): the first scope's list.</param>
internal sealed class SharedInventoryReads(IInventoryStore inventory, Task<ImmutableArray<Machine>>? readAhead = null) : IInventoryStore
{
    private readonly Lock gate = new();
    private int scopes;
    private Task<ImmutableArray<Machine>>? allMachines;
    private Task<ImmutableArray<Machine>>? unusedReadAhead = readAhead;

    /// <summary>Shares the list of all machines between the callers until the returned scope is disposed.</summary>
    public IDisposable Share()
    {
        lock (gate)
        {
            scopes++;
        }

        return new Scope(this);
    }

    public Task<ImmutableArray<Machine>> ListMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken)
    {
        if (filter is not null)
        {
            return inventory.ListMachinesAsync(filter, cancellationToken);
        }

        lock (gate)
        {
            if (scopes == 0)
            {
                return inventory.ListMachinesAsync(null, cancellationToken);
            }

            if (allMachines is null)
            {
                allMachines = unusedReadAhead ?? inventory.ListMachinesAsync(null, cancellationToken);
                unusedReadAhead = null;
            }

            return allMachines;
        }
    }

    public IAsyncEnumerable<Machine> StreamMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken) =>
        inventory.StreamMachinesAsync(filter, cancellationToken);

    public Task<MachinePage> PageMachinesAsync(MachinePageQuery query, CancellationToken cancellationToken) =>
        inventory.PageMachinesAsync(query, cancellationToken);

    public Task<ImmutableArray<MachineCount>> CountMachinesAsync(CancellationToken cancellationToken) =>
        inventory.CountMachinesAsync(cancellationToken);

    public Task<Machine?> GetMachineAsync(string hardwareName, CancellationToken cancellationToken) =>
        inventory.GetMachineAsync(hardwareName, cancellationToken);

    public Task<Machine?> FindMachineByMacAsync(string mac, CancellationToken cancellationToken) =>
        inventory.FindMachineByMacAsync(mac, cancellationToken);

    public Task<ImmutableArray<PoolRecord>> ListPoolsAsync(CancellationToken cancellationToken) =>
        inventory.ListPoolsAsync(cancellationToken);

    public Task<PoolRecord?> GetPoolAsync(string name, CancellationToken cancellationToken) =>
        inventory.GetPoolAsync(name, cancellationToken);

    public Task<PoolRecord> UpsertPoolAsync(PoolUpdate pool, CancellationToken cancellationToken) =>
        inventory.UpsertPoolAsync(pool, cancellationToken);

    public Task<bool> DeletePoolAsync(string name, CancellationToken cancellationToken) =>
        inventory.DeletePoolAsync(name, cancellationToken);

    public Task<Machine> TransitionAsync(MachineTransition transition, AuditContext audit, CancellationToken cancellationToken) =>
        inventory.TransitionAsync(transition, audit, cancellationToken);

    public Task<IngestResult> IngestAsync(IReadOnlyList<ReconRecord> records, AuditContext audit, CancellationToken cancellationToken) =>
        inventory.IngestAsync(records, audit, cancellationToken);

    public Task<Registration> RegisterAsync(IReadOnlyList<ReconRecord> records, IReadOnlySet<string> autoApprovedSites, AuditContext audit, CancellationToken cancellationToken) =>
        inventory.RegisterAsync(records, autoApprovedSites, audit, cancellationToken);

    public Task<ImmutableArray<Machine>> ApproveAsync(Approval approval, AuditContext audit, CancellationToken cancellationToken) =>
        inventory.ApproveAsync(approval, audit, cancellationToken);

    public Task<ImmutableArray<AuditEntry>> ListAuditAsync(string hardwareName, CancellationToken cancellationToken) =>
        inventory.ListAuditAsync(hardwareName, cancellationToken);

    private void EndScope()
    {
        lock (gate)
        {
            if (--scopes == 0)
            {
                allMachines = null;
            }
        }
    }

    private sealed class Scope(SharedInventoryReads owner) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.EndScope();
            }
        }
    }
}
