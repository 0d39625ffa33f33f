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

/**
 * `instance` as the planner sees it when an operator drained it (`entry.operatorDrainedAt`): a
 * running or draining instance is `draining` and `drainedByOperator`; any other state is kept (a
 * booting instance is not placeable yet, a failed or destroying one goes anyway).
 */
export function withOperatorDrain(instance: Instance, entry: LedgerInstance | undefined): Instance {
  if (entry?.operatorDrainedAt === undefined) return instance;
  if (instance.state !== 'running' && instance.state !== 'draining') return instance;
  return { ...instance, state: 'draining', drainedByOperator: true };
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
 *   the provider's `maxInstances` until it is gone;
 * - an instance an operator drained (`operatorDrainedAt`) is `draining` (`withOperatorDrain`).
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
    instances.push(withOperatorDrain(checkedIn === instance.checkedIn ? instance : { ...instance, checkedIn }, entry));
  }
  for (const entry of ledgerById.values()) {
    if (reported.has(entry.id)) continue;
    reported.add(entry.id);
    const fromLedger: Instance = {
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
    };
    instances.push(withOperatorDrain(fromLedger, entry));
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
