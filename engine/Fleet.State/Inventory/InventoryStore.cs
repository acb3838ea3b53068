using System.Collections.Immutable;
using System.Data.Common;
using Fleet.Engine.Diagnostics;
using Fleet.Engine.Inventory;
using Fleet.State.Backends;
using Fleet.State.Jobs;
using static Fleet.State.Backends.Sql;

namespace Fleet.State.Inventory;

/// <summary>
/// <see cref="IInventoryStore"/> on either backend: the SQL is written once, the differences live in
/// <see cref="StateBackend"/>. Every write is one transaction; every machine change bumps its
/// version and appends to <c>audit_log</c> in that same transaction.
/// </summary>
internal sealed class InventoryStore(StateBackend backend, TimeProvider clock) : IInventoryStore
{
    private const string PoolColumns = "name, backend, role, image, protected, updated_at, version";

    public Task<ImmutableArray<Machine>> ListMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken) =>
        backend.ReadAsync(
            async connection =>
            {
                using var command = ListCommand(connection, filter);
                return await ReadMachinesAsync(command, cancellationToken);
            },
            cancellationToken);

    public IAsyncEnumerable<Machine> StreamMachinesAsync(MachineFilter? filter, CancellationToken cancellationToken) =>
        backend.StreamMachinesAsync(connection => ListCommand(connection, filter), cancellationToken);

    /// <summary>
    /// A keyset page (serials after <see cref="MachinePageQuery.After"/>, by the primary key) and the
    /// count of all matches, on one connection. One row more than the page is read to know whether
    /// another page follows.
    /// </summary>
    public Task<MachinePage> PageMachinesAsync(MachinePageQuery query, CancellationToken cancellationToken) =>
        backend.ReadAsync(
            async connection =>
            {
                var limit = Math.Clamp(query.Limit, 1, MachinePageQuery.MaxLimit);
                using var page = Command(connection, null, string.Empty);
                page.CommandText = $"SELECT {MachineRows.Columns} FROM machines{PageWhere(page, query, withAfter: true)} ORDER BY hardware_name LIMIT {limit + 1}";
                var machines = await ReadMachinesAsync(page, cancellationToken);

                using var count = Command(connection, null, string.Empty);
                count.CommandText = $"SELECT COUNT(*) FROM machines{PageWhere(count, query, withAfter: false)}";
                var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
                return machines.Length > limit
                    ? new MachinePage(machines[..limit], total, machines[limit - 1].HardwareName)
                    : new MachinePage(machines, total, null);
            },
            cancellationToken);

    public Task<ImmutableArray<MachineCount>> CountMachinesAsync(CancellationToken cancellationToken) =>
        backend.ReadAsync(
            async connection =>
            {
                using var command = Command(connection, null, """
                    SELECT site, state, pool, hardware_type, role, COUNT(*) FROM machines
                    GROUP BY site, state, pool, hardware_type, role ORDER BY site, state, pool, hardware_type, role
                    """);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var counts = ImmutableArray.CreateBuilder<MachineCount>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    counts.Add(new MachineCount(
                        reader.GetString(0),
                        MachineRows.ParseState(reader.GetString(1)),
                        MachineRows.NullableString(reader, 2),
                        reader.GetString(3),
                        MachineRows.NullableString(reader, 4),
                        reader.GetInt64(5)));
                }

                return counts.DrainToImmutable();
            },
            cancellationToken);

    public Task<Machine?> GetMachineAsync(string hardwareName, CancellationToken cancellationToken) =>
        backend.ReadStatementAsync(connection => FindMachineAsync(connection, null, hardwareName, cancellationToken), cancellationToken);

    public Task<Machine?> FindMachineByMacAsync(string mac, CancellationToken cancellationToken) =>
        backend.ReadStatementAsync(
            async connection =>
            {
                using var command = Command(connection, null,
                    $"SELECT {MachineRows.Columns} FROM machines WHERE hardware_name = (SELECT hardware_name FROM machine_addresses WHERE kind = '{AddressRow.Mac}' AND address = @a)");
                Parameter(command, "@a", mac);
                var machines = await ReadMachinesAsync(command, cancellationToken);
                return machines.IsEmpty ? null : machines[0];
            },
            cancellationToken);

    public Task<ImmutableArray<PoolRecord>> ListPoolsAsync(CancellationToken cancellationToken) =>
        backend.ReadAsync(
            async connection =>
            {
                using var command = Command(connection, null, $"SELECT {PoolColumns} FROM pools ORDER BY name");
                return await ReadPoolsAsync(command, cancellationToken);
            },
            cancellationToken);

    public Task<PoolRecord?> GetPoolAsync(string name, CancellationToken cancellationToken) =>
        backend.ReadAsync<PoolRecord?>(
            async connection =>
            {
                using var command = Command(connection, null, $"SELECT {PoolColumns} FROM pools WHERE name = @n");
                Parameter(command, "@n", name);
                var pools = await ReadPoolsAsync(command, cancellationToken);
                return pools.IsEmpty ? null : pools[0];
            },
            cancellationToken);

    public Task<PoolRecord> UpsertPoolAsync(PoolUpdate pool, CancellationToken cancellationToken) =>
        backend.WriteAsync(
            async (connection, transaction) =>
            {
                using var command = Command(connection, transaction, $"""
                    INSERT INTO pools ({PoolColumns}) VALUES (@n, @b, @r, @i, @p, @u, 1)
                    ON CONFLICT (name) DO UPDATE SET backend = excluded.backend, role = excluded.role, image = excluded.image,
                        protected = excluded.protected, updated_at = excluded.updated_at, version = pools.version + 1
                    RETURNING {PoolColumns}
                    """);
                Parameter(command, "@n", pool.Name);
                Parameter(command, "@b", pool.Backend);
                Parameter(command, "@r", pool.Role);
                Parameter(command, "@i", pool.Image);
                Parameter(command, "@p", pool.Protected);
                Parameter(command, "@u", backend.TimeValue(Now()));
                return (await ReadPoolsAsync(command, cancellationToken))[0];
            },
            cancellationToken);

    public Task<bool> DeletePoolAsync(string name, CancellationToken cancellationToken) =>
        backend.WriteAsync(
            async (connection, transaction) =>
            {
                using var find = Command(connection, transaction, $"SELECT {PoolColumns} FROM pools WHERE name = @n{backend.ForUpdate}");
                Parameter(find, "@n", name);
                var pools = await ReadPoolsAsync(find, cancellationToken);
                if (pools.IsEmpty)
                {
                    return false;
                }

                if (pools[0].Protected)
                {
                    throw new FleetException($"pool {name} is protected in the inventory; unprotect it (protect: false) and apply before destroying it");
                }

                using var delete = Command(connection, transaction, "DELETE FROM pools WHERE name = @n");
                Parameter(delete, "@n", name);
                await delete.ExecuteNonQueryAsync(cancellationToken);
                return true;
            },
            cancellationToken);

    /// <summary>
    /// A compare-and-swap that moves the machine and appends its audit row: only a machine still at
    /// the expected version, in a state the move is allowed from, is changed, and the audit row
    /// records it as it was. On PostgreSQL this is one statement (<see cref="Transitions"/>), read
    /// afterwards to say why when it matched nothing; SQLite, one writer at a time, reads the row
    /// first in the same transaction.
    /// </summary>
    public async Task<Machine> TransitionAsync(MachineTransition transition, AuditContext audit, CancellationToken cancellationToken)
    {
        var releases = transition.To == MachineState.Available;
        var assigned = releases ? transition with { Hostname = null, Role = null, Pool = null, Image = null } : transition;
        if (!backend.IsPostgres())
        {
            return await backend.WriteAsync((connection, transaction) => ReadAndMoveAsync(connection, transaction, assigned, audit, cancellationToken), cancellationToken);
        }

        var moved = await backend.WriteStatementAsync(
            async (connection, _) =>
            {
                using var move = Command(connection, null, Transitions.Postgres(transition.To));
                Transitions.Bind(move, assigned, Now(), backend, audit);
                var machines = await ExecuteMoveAsync(() => ReadMachinesAsync(move, cancellationToken), assigned);
                return machines.IsEmpty ? null : machines[0];
            },
            cancellationToken);
        return moved ?? throw Refusal(assigned, await GetMachineAsync(transition.HardwareName, cancellationToken))
            ?? new ConcurrencyConflictException(transition.HardwareName, transition.ExpectedVersion, null); // matches now: it lost a race
    }

    private async Task<Machine> ReadAndMoveAsync(DbConnection connection, DbTransaction transaction, MachineTransition transition, AuditContext audit, CancellationToken cancellationToken)
    {
        var current = await FindMachineAsync(connection, transaction, transition.HardwareName, cancellationToken);
        if (Refusal(transition, current) is { } refused)
        {
            throw refused;
        }

        var next = current! with
        {
            State = transition.To,
            Hostname = transition.Hostname,
            Role = transition.Role,
            Pool = transition.Pool,
            Image = transition.Image,
            UpdatedAt = Now(),
            Version = current.Version + 1,
        };
        using (var move = Command(connection, transaction, Transitions.Sqlite))
        {
            Transitions.Bind(move, transition, next.UpdatedAt, backend, audit: null);
            if (await ExecuteMoveAsync(() => move.ExecuteNonQueryAsync(cancellationToken), transition) != 1)
            {
                throw new ConcurrencyConflictException(transition.HardwareName, transition.ExpectedVersion, null);
            }
        }

        using var log = Command(connection, transaction, AuditRows.Insert);
        AuditRows.Set(
            Parameters(log, AuditRows.ParameterNames),
            AuditRows.Of(next.HardwareName, next.UpdatedAt, audit, AuditAction.Transition, current.State, next.State, Transitions.DescribeAssignment(current, next)),
            backend);
        await log.ExecuteNonQueryAsync(cancellationToken);
        return next;
    }

    /// <summary>Runs a move; a hostname another machine holds is a conflict naming it.</summary>
    private async Task<T> ExecuteMoveAsync<T>(Func<Task<T>> move, MachineTransition transition)
    {
        try
        {
            return await move();
        }
        catch (DbException e) when (backend.IsUniqueViolation(e))
        {
            throw new ConcurrencyConflictException(transition.HardwareName, transition.ExpectedVersion, null, transition.Hostname);
        }
    }

    /// <summary>Why <paramref name="transition"/> cannot apply to the machine as it is: missing, changed since, or an illegal transition; null when it can.</summary>
    private static Exception? Refusal(MachineTransition transition, Machine? current)
    {
        var name = transition.HardwareName;
        if (current is null)
        {
            return new FleetException($"machine {name} is not in the inventory") { Permanent = true };
        }

        if (current.Version != transition.ExpectedVersion)
        {
            return new ConcurrencyConflictException(name, transition.ExpectedVersion, current.Version);
        }

        return MachineStates.IsAllowed(current.State, transition.To)
            ? null
            : new FleetException(
                $"machine {name} is {current.State.ToWire()}: cannot {MachineTransition.Describe(current.State, transition.To)} " +
                $"({current.State.ToWire()} → {transition.To.ToWire()} is not an allowed transition)");
    }

    public async Task<IngestResult> IngestAsync(IReadOnlyList<ReconRecord> records, AuditContext audit, CancellationToken cancellationToken)
    {
        var registration = await IngestAsync(records, audit, newOnly: false, _ => MachineState.Available, cancellationToken);
        return registration.Conflicts.IsEmpty ? registration.Result! : throw new FleetException(registration.Conflicts);
    }

    public Task<Registration> RegisterAsync(IReadOnlyList<ReconRecord> records, IReadOnlySet<string> autoApprovedSites, AuditContext audit, CancellationToken cancellationToken) =>
        IngestAsync(records, audit, newOnly: true, r => autoApprovedSites.Contains(r.Site) ? MachineState.Available : MachineState.New, cancellationToken);

    /// <summary>Both ingests in one transaction; with <paramref name="newOnly"/> a known serial is a conflict.</summary>
    private Task<Registration> IngestAsync(IReadOnlyList<ReconRecord> records, AuditContext audit, bool newOnly, Func<ReconRecord, MachineState> initial, CancellationToken cancellationToken) =>
        backend.WriteAsync(
            async (connection, transaction) =>
            {
                await backend.LockIngestAsync(connection, transaction, cancellationToken);
                var existing = new Dictionary<string, Machine>(StringComparer.Ordinal);
                using (var all = Command(connection, transaction, $"SELECT {MachineRows.Columns} FROM machines"))
                {
                    foreach (var machine in await ReadMachinesAsync(all, cancellationToken))
                    {
                        existing[machine.HardwareName] = machine;
                    }
                }

                var owners = await ReadAddressOwnersAsync(connection, transaction, cancellationToken);
                var (batch, conflicts) = PlanIngest(records, existing, owners, newOnly, initial, audit, Now());
                if (!conflicts.IsEmpty)
                {
                    return new Registration(null, conflicts);
                }

                await backend.WriteIngestAsync(connection, transaction, batch!, cancellationToken);
                return new Registration(new IngestResult(batch!.Created.Count, batch.Updated.Count, records.Count - batch.Created.Count - batch.Updated.Count), []);
            },
            cancellationToken);

    /// <summary>
    /// Every machine the approval selects goes from new to available in one transaction, each with an
    /// audit row; a named serial that is unknown, not new or outside the filters refuses them all.
    /// </summary>
    public Task<ImmutableArray<Machine>> ApproveAsync(Approval approval, AuditContext audit, CancellationToken cancellationToken) =>
        backend.WriteAsync(
            async (connection, transaction) =>
            {
                var errors = new List<string>();
                var selected = new List<Machine>();
                if (approval.Serials.IsDefaultOrEmpty)
                {
                    using var find = Command(connection, transaction, string.Empty);
                    find.CommandText = $"SELECT {MachineRows.Columns} FROM machines" +
                        $"{Where(find, new MachineFilter(Site: approval.Site, State: MachineState.New, HardwareType: approval.HardwareType))} ORDER BY hardware_name{backend.ForUpdate}";
                    selected.AddRange((await ReadMachinesAsync(find, cancellationToken)).Where(approval.Matches));
                }
                else
                {
                    foreach (var serial in approval.Serials.Distinct(StringComparer.Ordinal))
                    {
                        using var find = Command(connection, transaction, $"SELECT {MachineRows.Columns} FROM machines WHERE hardware_name = @n{backend.ForUpdate}");
                        Parameter(find, "@n", serial);
                        var found = await ReadMachinesAsync(find, cancellationToken);
                        if (found.IsEmpty)
                        {
                            errors.Add($"machine {serial} is not in the inventory");
                        }
                        else if (found[0].State != MachineState.New)
                        {
                            errors.Add($"machine {serial} is {found[0].State.ToWire()}: only a new machine can be approved");
                        }
                        else if (!approval.Matches(found[0]))
                        {
                            errors.Add($"machine {serial} ({found[0].Site}, rack {found[0].Rack ?? "-"}, {found[0].HardwareType}) does not match the filters");
                        }
                        else
                        {
                            selected.Add(found[0]);
                        }
                    }
                }

                if (errors.Count > 0)
                {
                    throw new FleetException(errors.Select(Diagnostic.Error));
                }

                var now = Now();
                var approved = ImmutableArray.CreateBuilder<Machine>(selected.Count);
                foreach (var machine in selected)
                {
                    var next = machine with { State = MachineState.Available, UpdatedAt = now, Version = machine.Version + 1 };
                    using (var move = Command(connection, transaction, "UPDATE machines SET state = @st, updated_at = @at, version = @v WHERE hardware_name = @n AND version = @expected"))
                    {
                        Parameter(move, "@st", next.State.ToWire());
                        Parameter(move, "@at", backend.TimeValue(now));
                        Parameter(move, "@v", next.Version);
                        Parameter(move, "@n", machine.HardwareName);
                        Parameter(move, "@expected", machine.Version);
                        if (await move.ExecuteNonQueryAsync(cancellationToken) != 1)
                        {
                            throw new ConcurrencyConflictException(machine.HardwareName, machine.Version, null);
                        }
                    }

                    using var log = Command(connection, transaction, AuditRows.Insert);
                    AuditRows.Set(
                        Parameters(log, AuditRows.ParameterNames),
                        AuditRows.Of(machine.HardwareName, now, audit, AuditAction.Transition, MachineState.New, MachineState.Available, null),
                        backend);
                    await log.ExecuteNonQueryAsync(cancellationToken);
                    approved.Add(next);
                }

                return approved.DrainToImmutable();
            },
            cancellationToken);

    public Task<ImmutableArray<AuditEntry>> ListAuditAsync(string hardwareName, CancellationToken cancellationToken) =>
        backend.ReadAsync(
            async connection =>
            {
                using var command = Command(connection, null, $"SELECT {AuditRows.Columns} FROM audit_log WHERE hardware_name = @n ORDER BY id");
                Parameter(command, "@n", hardwareName);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                var entries = ImmutableArray.CreateBuilder<AuditEntry>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    entries.Add(AuditRows.Read(reader, backend));
                }

                return entries.DrainToImmutable();
            },
            cancellationToken);

    /// <summary>
    /// Decides what an ingest writes, or returns every conflict at once. An address conflicts when,
    /// after the ingest, two machines would own it: addresses of machines being re-ingested are
    /// judged by their new records, so moving a MAC between two machines in one ingest is fine.
    /// </summary>
    private static (IngestBatch? Batch, ImmutableArray<Diagnostic> Conflicts) PlanIngest(
        IReadOnlyList<ReconRecord> records,
        Dictionary<string, Machine> existing,
        Dictionary<(string Kind, string Address), string> owners,
        bool newOnly,
        Func<ReconRecord, MachineState> initial,
        AuditContext audit,
        DateTimeOffset now)
    {
        var errors = new List<Diagnostic>();
        var bySerial = new Dictionary<string, ReconRecord>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (!bySerial.TryAdd(record.HardwareName, record))
            {
                var first = bySerial[record.HardwareName];
                errors.Add(record.Error($"hardware name {record.HardwareName} appears twice (first at {first.Location}, record {first.Number})"));
            }
            else if (newOnly && existing.ContainsKey(record.HardwareName))
            {
                errors.Add(record.Error($"{record.HardwareName} is already in the inventory; update known machines with fleetctl inventory ingest"));
            }
            else if (existing.TryGetValue(record.HardwareName, out var known) && Move(known, record) is { } move)
            {
                errors.Add(record.Error(move));
            }
        }

        errors.AddRange(BmcConflicts(records, existing, bySerial));

        var claimed = new Dictionary<(string Kind, string Address), ReconRecord>();
        foreach (var record in records)
        {
            foreach (var address in MachineRows.Addresses(record.HardwareName, record.Interfaces).Distinct())
            {
                var key = (address.Kind, address.Address);
                var label = address.Kind == AddressRow.Mac ? "MAC" : "IP";
                if (claimed.TryGetValue(key, out var other))
                {
                    if (other.HardwareName != record.HardwareName)
                    {
                        errors.Add(record.Error($"{label} {address.Address} of {record.HardwareName} is also reported for {other.HardwareName} ({other.Location}, record {other.Number})"));
                    }

                    continue;
                }

                claimed[key] = record;
                if (owners.TryGetValue(key, out var owner) && owner != record.HardwareName && !bySerial.ContainsKey(owner))
                {
                    errors.Add(record.Error($"{label} {address.Address} of {record.HardwareName} already belongs to machine {owner}"));
                }
            }
        }

        if (errors.Count > 0)
        {
            return (null, [.. errors]);
        }

        var created = new List<Machine>();
        var updated = new List<Machine>();
        var addresses = new List<AddressRow>();
        var auditRows = new List<AuditRow>();
        foreach (var record in records)
        {
            Machine machine;
            if (!existing.TryGetValue(record.HardwareName, out var known))
            {
                machine = new Machine(record.HardwareName, record.HardwareType, record.Site, record.Rack, record.Bmc, record.Interfaces,
                    initial(record), null, null, null, null, now, now, 1);
                created.Add(machine);
                auditRows.Add(AuditRows.Of(machine.HardwareName, now, audit, AuditAction.Ingest, null, machine.State, null));
            }
            else if (record.SameFacts(known))
            {
                continue;
            }
            else
            {
                machine = known with
                {
                    HardwareType = record.HardwareType,
                    Site = record.Site,
                    Rack = record.Rack,
                    Bmc = record.Bmc,
                    Interfaces = record.Interfaces,
                    UpdatedAt = now,
                    Version = known.Version + 1,
                };
                updated.Add(machine);
                auditRows.Add(AuditRows.Of(machine.HardwareName, now, audit, AuditAction.Update, null, null, DescribeFacts(known, machine)));
            }

            addresses.AddRange(MachineRows.Addresses(machine.HardwareName, machine.Interfaces).Distinct());
        }

        return (new IngestBatch(created, updated, addresses, auditRows), []);
    }

    /// <summary>
    /// Why a re-ingest must not change <paramref name="known"/> this way, or null: a machine that is
    /// installing or in use stays in its pool, so moving it to another site or hardware type would leave
    /// the pool with a member it does not fit. Recycle it first.
    /// </summary>
    private static string? Move(Machine known, ReconRecord record)
    {
        if (known.State is not (MachineState.InUse or MachineState.Installing))
        {
            return null;
        }

        var moved = new List<string>();
        if (known.Site != record.Site)
        {
            moved.Add($"site {known.Site} → {record.Site}");
        }

        if (known.HardwareType != record.HardwareType)
        {
            moved.Add($"hardwareType {known.HardwareType} → {record.HardwareType}");
        }

        return moved.Count == 0
            ? null
            : $"{record.HardwareName} is {known.State.ToWire()}{(known.Pool is null ? "" : $" in pool {known.Pool}")}: cannot change its {string.Join(" and ", moved)}; recycle it first";
    }

    /// <summary>
    /// A BMC that two machines would share after the ingest: whoever holds a BMC's address can have
    /// fleetctl power-cycle it, so a record naming another machine's BMC (same host, and the same port
    /// or either without one) is refused. Machines being re-ingested are judged by their new records.
    /// </summary>
    private static IEnumerable<Diagnostic> BmcConflicts(IReadOnlyList<ReconRecord> records, Dictionary<string, Machine> existing, Dictionary<string, ReconRecord> bySerial)
    {
        var held = new Dictionary<string, List<(string Owner, int? Port, ReconRecord? Record)>>(StringComparer.Ordinal);
        foreach (var machine in existing.Values)
        {
            if (machine.Bmc is { } bmc && !bySerial.ContainsKey(machine.HardwareName))
            {
                Holders(bmc).Add((machine.HardwareName, bmc.Port, null));
            }
        }

        foreach (var record in records)
        {
            if (record.Bmc is not { } bmc || bySerial[record.HardwareName] != record)
            {
                continue;
            }

            var holders = Holders(bmc);
            if (holders.FirstOrDefault(h => h.Port is null || bmc.Port is null || h.Port == bmc.Port) is { Owner: not null } other)
            {
                yield return record.Error(other.Record is { } first
                    ? $"BMC {Describe(bmc)} of {record.HardwareName} is also reported for {first.HardwareName} ({first.Location}, record {first.Number})"
                    : $"BMC {Describe(bmc)} of {record.HardwareName} already belongs to machine {other.Owner}");
                continue;
            }

            holders.Add((record.HardwareName, bmc.Port, record));
        }

        List<(string Owner, int? Port, ReconRecord? Record)> Holders(BmcEndpoint bmc)
        {
            var host = bmc.Host;
            if (!held.TryGetValue(host, out var list))
            {
                held[host] = list = [];
            }

            return list;
        }

        static string Describe(BmcEndpoint bmc) => bmc.Port is { } port ? $"{bmc.Address} port {port}" : bmc.Address;
    }

    private static string DescribeFacts(Machine before, Machine after)
    {
        var changed = new List<string>();
        if (before.HardwareType != after.HardwareType)
        {
            changed.Add($"hardwareType {before.HardwareType} → {after.HardwareType}");
        }

        if (before.Site != after.Site)
        {
            changed.Add($"site {before.Site} → {after.Site}");
        }

        if (before.Rack != after.Rack)
        {
            changed.Add($"rack {before.Rack ?? "-"} → {after.Rack ?? "-"}");
        }

        if (before.Bmc != after.Bmc)
        {
            changed.Add("bmc");
        }

        if (!before.Interfaces.SequenceEqual(after.Interfaces))
        {
            changed.Add("interfaces");
        }

        return string.Join("; ", changed);
    }

    private async Task<Machine?> FindMachineAsync(DbConnection connection, DbTransaction? transaction, string hardwareName, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, $"SELECT {MachineRows.Columns} FROM machines WHERE hardware_name = @n");
        Parameter(command, "@n", hardwareName);
        var machines = await ReadMachinesAsync(command, cancellationToken);
        return machines.IsEmpty ? null : machines[0];
    }

    private Task<ImmutableArray<Machine>> ReadMachinesAsync(DbCommand command, CancellationToken cancellationToken) =>
        backend.ReadMachinesAsync(command, cancellationToken);

    private async Task<ImmutableArray<PoolRecord>> ReadPoolsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pools = ImmutableArray.CreateBuilder<PoolRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pools.Add(new PoolRecord(
                reader.GetString(0),
                reader.GetString(1),
                MachineRows.NullableString(reader, 2),
                MachineRows.NullableString(reader, 3),
                reader.GetBoolean(4),
                backend.ReadTime(reader, 5),
                reader.GetInt64(6)));
        }

        return pools.DrainToImmutable();
    }

    private static async Task<Dictionary<(string Kind, string Address), string>> ReadAddressOwnersAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT kind, address, hardware_name FROM machine_addresses");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var owners = new Dictionary<(string Kind, string Address), string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            owners[(reader.GetString(0), reader.GetString(1))] = reader.GetString(2);
        }

        return owners;
    }

    private static DbCommand ListCommand(DbConnection connection, MachineFilter? filter)
    {
        var command = Command(connection, null, string.Empty);
        command.CommandText = $"SELECT {MachineRows.Columns} FROM machines{Where(command, filter)} ORDER BY hardware_name";
        return command;
    }

    /// <param name="offIndexes">
    /// SQLite: keep the filter off the indexes (a unary plus on the column). A search's ranges find a
    /// handful of rows by key; without table statistics SQLite would rather step the site-and-state
    /// index, through every machine of a site (about 1,000 times slower at 100,000 machines).
    /// </param>
    private static string Where(DbCommand command, MachineFilter? filter, bool offIndexes = false)
    {
        if (filter is null || filter.IsEmpty)
        {
            return string.Empty;
        }

        var conditions = new List<string>();
        Add("site", filter.Site);
        Add("state", filter.State?.ToWire());
        Add("pool", filter.Pool);
        Add("role", filter.Role);
        Add("hardware_type", filter.HardwareType);
        return " WHERE " + string.Join(" AND ", conditions);

        void Add(string column, string? value)
        {
            if (value is not null)
            {
                conditions.Add(offIndexes ? $"+{column} = @{column}" : $"{column} = @{column}");
                Parameter(command, "@" + column, value);
            }
        }
    }

    /// <summary>
    /// The conditions of a page query: the filter's, a search, and the keyset start. A search is for
    /// serials or hostnames that start with the text (serials as typed and in either case, hostnames in
    /// lower case, as DNS labels are), written as ranges of the columns so that SQLite answers them
    /// from the primary key and the hostname index instead of reading every machine. PostgreSQL
    /// compares them byte by byte (COLLATE "C"), so a prefix means the same on both backends
    /// whatever the database's collation.
    /// </summary>
    private string PageWhere(DbCommand command, MachinePageQuery query, bool withAfter)
    {
        var where = Where(command, query.Filter, offIndexes: !string.IsNullOrEmpty(query.Search) && !backend.IsPostgres());
        var conditions = new List<string>();
        if (!string.IsNullOrEmpty(query.Search))
        {
            var collate = backend.IsPostgres() ? " COLLATE \"C\"" : string.Empty;
            var ranges = new List<string>();
            var n = 0;
            void Range(string column, string prefix)
            {
                n++;
                ranges.Add($"({column}{collate} >= @lo{n} AND {column}{collate} < @hi{n})");
                Parameter(command, $"@lo{n}", prefix);
                Parameter(command, $"@hi{n}", prefix + '\uffff');
            }

            var text = query.Search;
            foreach (var serial in new[] { text, text.ToUpperInvariant(), text.ToLowerInvariant() }.Distinct(StringComparer.Ordinal))
            {
                Range("hardware_name", serial);
            }

            Range("hostname", text.ToLowerInvariant());
            conditions.Add("(" + string.Join(" OR ", ranges) + ")");
        }

        if (withAfter && query.After is not null)
        {
            conditions.Add("hardware_name > @after");
            Parameter(command, "@after", query.After);
        }

        if (conditions.Count == 0)
        {
            return where;
        }

        return (where.Length == 0 ? " WHERE " : where + " AND ") + string.Join(" AND ", conditions);
    }

    /// <summary>Now, as the database will store it (<see cref="StateBackend.Stored"/>).</summary>
    private DateTimeOffset Now() => StateBackend.Stored(clock.GetUtcNow());
}
