import type { PlannerState, StateStore } from '@headroom/core';

/** A state store that answers two questions the simulator asks after every tick without reading it. */
export interface CountingStateStore extends StateStore {
  /** The planner state last written (the object the reconciler wrote), or undefined before the first write. */
  readonly lastPlannerState: PlannerState | undefined;
}

/**
 * Wraps a state store without changing what it stores or returns: every call is forwarded, except
 * that `listIntents({ status: 'open' })` answers `[]` at once while no intent written through the
 * wrapper is open (the answer the store would give, since the simulator's store starts empty and
 * is written only through the wrapper), which saves a store call on most ticks.
 */
export function withOpenIntentCount(store: StateStore): CountingStateStore {
  const openKeys = new Set<string>();
  let lastPlannerState: PlannerState | undefined;
  return {
    kind: store.kind,
    init: () => store.init(),
    getPlannerState: () => store.getPlannerState(),
    async putPlannerState(options) {
      await store.putPlannerState(options);
      lastPlannerState = options.state;
    },
    async putIntent(options) {
      await store.putIntent(options);
      if (options.intent.status === 'open') openKeys.add(options.intent.key);
      else openKeys.delete(options.intent.key);
    },
    async listIntents(options) {
      if (options?.status === 'open' && openKeys.size === 0) return [];
      return store.listIntents(options);
    },
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
