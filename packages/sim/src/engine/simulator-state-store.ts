import type { LedgerInstance, PlannerState, StateStore } from '@headroom/core';

/** A state store that also answers the simulator's frequent reads from what was last written. */
export interface SimulatorStateStore extends StateStore {
  /** The planner state last written (the object the reconciler wrote), or undefined before the first write. */
  readonly lastPlannerState: PlannerState | undefined;
}

function compareStrings(left: string, right: string): number {
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}

/**
 * Wraps a state store for the simulator: every call is forwarded, and reads that a tick makes
 * every time skip the store's copies. `getPlannerState` returns the planner state last written
 * (once one was), and `listInstances` returns a frozen mirror of the ledger, by id as the memory
 * store lists it, copied once per write instead of once per read. The reconciler treats both as
 * immutable values (freezing makes a mutation throw instead of passing unnoticed).
 */
export function withSimulatorReads(store: StateStore): SimulatorStateStore {
  let lastPlannerState: PlannerState | undefined;
  const ledger = new Map<string, LedgerInstance>();
  let listed: LedgerInstance[] | undefined;
  let mirrored = false;
  return {
    kind: store.kind,
    init: () => store.init(),
    getPlannerState: async () => lastPlannerState ?? store.getPlannerState(),
    async putPlannerState(options) {
      await store.putPlannerState(options);
      lastPlannerState = options.state;
    },
    putIntent: (options) => store.putIntent(options),
    listIntents: (options) => store.listIntents(options),
    deleteSettledIntents: (options) => store.deleteSettledIntents(options),
    async putInstance(options) {
      await store.putInstance(options);
      const { instance } = options;
      ledger.set(instance.id, Object.freeze({ ...instance, shape: Object.freeze({ ...instance.shape }) }));
      listed = undefined;
    },
    async deleteInstance(options) {
      await store.deleteInstance(options);
      if (ledger.delete(options.id)) listed = undefined;
    },
    async listInstances() {
      if (!mirrored) {
        // The first read fills the mirror from the store (empty for a new store).
        for (const instance of await store.listInstances()) ledger.set(instance.id, Object.freeze(instance));
        mirrored = true;
      }
      listed ??= [...ledger.keys()].sort(compareStrings).map((id) => ledger.get(id)!);
      return [...listed];
    },
    putPendingCheckin: (options) => store.putPendingCheckin(options),
    listPendingCheckins: () => store.listPendingCheckins(),
    deletePendingCheckins: (options) => store.deletePendingCheckins(options),
    putDemandSamples: (options) => store.putDemandSamples(options),
    listDemandSamples: (options) => store.listDemandSamples(options),
    deleteDemandSamples: (options) => store.deleteDemandSamples(options),
    close: () => store.close(),
    get lastPlannerState() {
      return lastPlannerState;
    },
  };
}
