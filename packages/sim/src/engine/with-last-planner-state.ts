import type { PlannerState, StateStore } from '@headroom/core';

/** A state store that also keeps the planner state last written, for the simulator to read without a copy. */
export interface PlannerStateRecordingStore extends StateStore {
  /** The planner state last written (the object the reconciler wrote), or undefined before the first write. */
  readonly lastPlannerState: PlannerState | undefined;
}

/**
 * Wraps a state store without changing what it stores; every write is forwarded. Once a planner
 * state was written, `getPlannerState` returns that object itself instead of the store's copy (the
 * reconciler and the planner treat planner states as immutable values), which saves a deep copy
 * per tick.
 */
export function withLastPlannerState(store: StateStore): PlannerStateRecordingStore {
  let lastPlannerState: PlannerState | undefined;
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
    putInstance: (options) => store.putInstance(options),
    deleteInstance: (options) => store.deleteInstance(options),
    listInstances: () => store.listInstances(),
    close: () => store.close(),
    get lastPlannerState() {
      return lastPlannerState;
    },
  };
}
