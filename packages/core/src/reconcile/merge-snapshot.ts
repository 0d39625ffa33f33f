import type { FleetSnapshot, Instance, InstanceState } from '../model/instance.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import type { ProviderInstance, ProviderInstanceState } from '../provider/v1/provider-v1-instance.js';
import type { LedgerInstance } from '../store/state-store.js';

/** Ledger state of an instance the provider reports in `state`. */
export function ledgerStateOf(state: ProviderInstanceState): InstanceState {
  switch (state) {
    case 'pending':
      return 'starting';
    case 'running':
      return 'running';
    case 'failed':
      return 'failed';
    case 'stopping':
      return 'destroying';
  }
}

/** A managed instance at a provider that the ledger does not know (an orphan, or one being collected). */
export interface UnknownProviderInstance {
  /** Provider config id. */
  provider: string;
  instance: ProviderInstance;
}

/**
 * The snapshot the planner sees (the merge rule of the embedding API):
 * - every instance the control plane reports, as reported (it wins for state and sessions), checked
 *   in when the control plane or a recorded check-in says so;
 * - every ledger instance the control plane does not report yet, with its ledger state
 *   (requested/creating/starting count as pending capacity, so a slow control plane never causes a
 *   second create);
 * - every managed provider instance unknown to both, as `destroying`, so that it counts against
 *   the provider's `maxInstances` until it is gone.
 */
export function mergeSnapshot(options: {
  inventory: FleetSnapshot;
  /** Ledger instances, as a list or by Headroom id. */
  ledger: readonly LedgerInstance[] | ReadonlyMap<string, LedgerInstance>;
  unknown: readonly UnknownProviderInstance[];
  /** Check-ins recorded through `recordCheckin` and not yet in the ledger, by Headroom id. */
  checkins: ReadonlyMap<string, number>;
  nowMs: number;
}): FleetSnapshot {
  const ledgerById: ReadonlyMap<string, LedgerInstance> =
    options.ledger instanceof Map
      ? options.ledger
      : new Map((options.ledger as readonly LedgerInstance[]).map((entry) => [entry.id, entry]));
  const reported = new Set<string>();
  const instances: Instance[] = [];
  for (const instance of options.inventory.instances) {
    reported.add(instance.id);
    const entry = ledgerById.get(instance.id);
    const checkedIn = instance.checkedIn || entry?.checkedInAt !== undefined || options.checkins.has(instance.id);
    instances.push(checkedIn === instance.checkedIn ? instance : { ...instance, checkedIn });
  }
  for (const entry of ledgerById.values()) {
    if (reported.has(entry.id)) continue;
    reported.add(entry.id);
    instances.push({
      id: entry.id,
      pool: entry.pool,
      autoscale: entry.autoscale,
      provider: entry.provider,
      state: entry.state,
      checkedIn: entry.checkedInAt !== undefined || options.checkins.has(entry.id),
      createdAt: entry.createdAt,
      capacity: { ...entry.shape },
      sessions: [],
      ...(entry.address !== undefined ? { address: entry.address } : {}),
    });
  }
  for (const { provider, instance } of options.unknown) {
    if (reported.has(instance.name) || reported.has(instance.instanceId)) continue;
    reported.add(instance.name);
    instances.push({
      id: instance.name,
      pool: instance.tags[HEADROOM_TAGS.pool] ?? '',
      // Never STATIC_MEMBER (''): an untagged leftover still counts against maxInstances.
      autoscale: instance.tags[HEADROOM_TAGS.autoscale] ?? '(untagged)',
      provider,
      state: 'destroying',
      checkedIn: false,
      createdAt: instance.createdAt ?? new Date(options.nowMs).toISOString(),
      capacity: instance.shape ? { ...instance.shape } : { cores: 0, memoryMb: 0, gpus: 0 },
      sessions: [],
    });
  }
  return { at: new Date(options.nowMs).toISOString(), instances, queued: options.inventory.queued };
}
