import { FencedWriteError } from '../errors/fenced-write-error.js';
import type { PlannerState } from '../planner/planner-state.js';
import { emptyPlannerState } from '../planner/planner-state.js';
import { assertDemandSamples } from './demand-samples.js';
import { createMemoryDemandSamples } from './memory-demand-samples.js';
import type {
  Intent,
  IntentStatus,
  LeaderElector,
  Leadership,
  LedgerInstance,
  PendingCheckin,
  StateStore,
} from './state-store.js';

/** The in-memory state store, with `kind: 'memory'`. */
export interface MemoryStateStore extends StateStore {
  readonly kind: 'memory';
}

/**
 * A state store held in this process's memory, for tests and embedding. It keeps the highest
 * epoch it has seen and refuses older writes with `FencedWriteError`, like the durable stores.
 * Values are copied in and out, so callers cannot change stored state by mutating objects.
 * Its contents are lost on `close()`; afterwards every call throws.
 */
export function createMemoryStateStore(): MemoryStateStore {
  let plannerState: PlannerState = emptyPlannerState();
  const intents = new Map<string, Intent>();
  /** The same intents grouped by status, so listing the open ones does not scan closed history. */
  const intentsByStatus = new Map<IntentStatus, Map<string, Intent>>();
  const instances = new Map<string, LedgerInstance>();
  /** Instance ids in listing order; dropped when an id is added or removed. */
  let sortedInstanceIds: string[] | undefined;
  const pendingCheckins = new Map<string, PendingCheckin>();
  const demandSamples = createMemoryDemandSamples();
  let highestEpoch = 0;
  let closed = false;

  function assertOpen(): void {
    if (closed) {
      throw new Error('[headroom] [memory-state-store] the store is closed');
    }
  }

  function fence(epoch: number): void {
    assertOpen();
    if (epoch < highestEpoch) {
      throw new FencedWriteError({ epoch, currentEpoch: highestEpoch });
    }
    highestEpoch = epoch;
  }

  return {
    kind: 'memory',
    async init() {
      assertOpen();
    },
    async getPlannerState() {
      assertOpen();
      return structuredClone(plannerState);
    },
    async putPlannerState({ epoch, state }) {
      fence(epoch);
      plannerState = structuredClone(state);
    },
    async putIntent({ epoch, intent }) {
      fence(epoch);
      const previous = intents.get(intent.key);
      if (previous) intentsByStatus.get(previous.status)?.delete(intent.key);
      const stored = copyIntent(intent);
      intents.set(intent.key, stored);
      let group = intentsByStatus.get(stored.status);
      if (!group) {
        group = new Map();
        intentsByStatus.set(stored.status, group);
      }
      group.set(stored.key, stored);
    },
    async listIntents(options?: { status?: IntentStatus }) {
      assertOpen();
      const status = options?.status;
      const source = status === undefined ? intents : (intentsByStatus.get(status) ?? new Map<string, Intent>());
      return [...source.values()].sort(compareIntents).map(copyIntent);
    },
    async deleteSettledIntents({ epoch, createdBefore }) {
      fence(epoch);
      let deleted = 0;
      for (const status of ['done', 'failed'] as const) {
        const group = intentsByStatus.get(status);
        if (!group) continue;
        for (const [key, intent] of group) {
          if (intent.createdAt >= createdBefore) continue;
          group.delete(key);
          intents.delete(key);
          deleted += 1;
        }
      }
      return deleted;
    },
    async putInstance({ epoch, instance }) {
      fence(epoch);
      if (!instances.has(instance.id)) sortedInstanceIds = undefined;
      instances.set(instance.id, copyInstance(instance));
    },
    async deleteInstance({ epoch, id }) {
      fence(epoch);
      if (instances.delete(id)) sortedInstanceIds = undefined;
    },
    async listInstances() {
      assertOpen();
      sortedInstanceIds ??= [...instances.keys()].sort(compareStrings);
      return sortedInstanceIds.map((id) => copyInstance(instances.get(id)!));
    },
    async putPendingCheckin({ checkin }) {
      assertOpen();
      pendingCheckins.set(checkin.instanceId, mergePendingCheckin(pendingCheckins.get(checkin.instanceId), checkin));
    },
    async listPendingCheckins() {
      assertOpen();
      return [...pendingCheckins.keys()].sort(compareStrings).map((id) => copyPendingCheckin(pendingCheckins.get(id)!));
    },
    async deletePendingCheckins({ checkins }) {
      assertOpen();
      for (const checkin of checkins) {
        const kept = pendingCheckins.get(checkin.instanceId);
        if (kept && kept.checkedInAt === checkin.checkedInAt && kept.status.at === checkin.status.at) {
          pendingCheckins.delete(checkin.instanceId);
        }
      }
    },
    async putDemandSamples({ epoch, samples }) {
      assertOpen();
      assertDemandSamples(samples);
      fence(epoch);
      demandSamples.put(samples);
    },
    async listDemandSamples({ pool, fromMs }) {
      assertOpen();
      return demandSamples.list(pool, fromMs);
    },
    async deleteDemandSamples({ epoch, beforeMs }) {
      fence(epoch);
      return demandSamples.deleteBefore(beforeMs);
    },
    async close() {
      closed = true;
      demandSamples.clear();
      pendingCheckins.clear();
      intents.clear();
      intentsByStatus.clear();
      sortedInstanceIds = undefined;
      instances.clear();
    },
  };
}

/**
 * Leader election for a single process: it always grants leadership, with epoch 1. Use it with
 * the memory and SQLite stores, which have exactly one writer.
 */
export function createSingleProcessLeaderElector(options: { holderId?: string } = {}): LeaderElector {
  const leadership: Leadership = { holderId: options.holderId ?? 'single-process', epoch: 1 };
  let leading = false;
  return {
    async acquire() {
      leading = true;
      return { ...leadership };
    },
    async release() {
      leading = false;
    },
    async currentLeader() {
      return leading ? { ...leadership } : null;
    },
  };
}

// Intents are flat and a ledger instance nests only its shape, so these copies are complete and
// far cheaper than structuredClone on fleets of thousands.
function copyIntent(intent: Intent): Intent {
  return { ...intent };
}

function copyInstance(instance: LedgerInstance): LedgerInstance {
  return { ...instance, shape: { ...instance.shape } };
}

function copyPendingCheckin(checkin: PendingCheckin): PendingCheckin {
  return { ...checkin, status: { ...checkin.status } };
}

/** `next` merged into `kept` as `StateStore.putPendingCheckin` describes. */
function mergePendingCheckin(kept: PendingCheckin | undefined, next: PendingCheckin): PendingCheckin {
  if (!kept) return copyPendingCheckin(next);
  const checkedInAt = kept.checkedInAt ?? next.checkedInAt;
  const status = next.status.at >= kept.status.at ? next.status : kept.status;
  return { instanceId: next.instanceId, ...(checkedInAt !== undefined ? { checkedInAt } : {}), status: { ...status } };
}

function compareIntents(left: Intent, right: Intent): number {
  return compareStrings(left.createdAt, right.createdAt) || compareStrings(left.key, right.key);
}

function compareStrings(left: string, right: string): number {
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}
