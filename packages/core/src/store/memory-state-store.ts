import { FencedWriteError } from '../errors/fenced-write-error.js';
import type { PlannerState } from '../planner/planner-state.js';
import { emptyPlannerState } from '../planner/planner-state.js';
import type { Intent, IntentStatus, LeaderElector, Leadership, LedgerInstance, StateStore } from './state-store.js';

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
  const instances = new Map<string, LedgerInstance>();
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
      intents.set(intent.key, structuredClone(intent));
    },
    async listIntents(options?: { status?: IntentStatus }) {
      assertOpen();
      const status = options?.status;
      return [...intents.values()]
        .filter((intent) => status === undefined || intent.status === status)
        .sort(compareIntents)
        .map((intent) => structuredClone(intent));
    },
    async putInstance({ epoch, instance }) {
      fence(epoch);
      instances.set(instance.id, structuredClone(instance));
    },
    async deleteInstance({ epoch, id }) {
      fence(epoch);
      instances.delete(id);
    },
    async listInstances() {
      assertOpen();
      return [...instances.values()]
        .sort((left, right) => compareStrings(left.id, right.id))
        .map((instance) => structuredClone(instance));
    },
    async close() {
      closed = true;
      intents.clear();
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

function compareIntents(left: Intent, right: Intent): number {
  return compareStrings(left.createdAt, right.createdAt) || compareStrings(left.key, right.key);
}

function compareStrings(left: string, right: string): number {
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}
