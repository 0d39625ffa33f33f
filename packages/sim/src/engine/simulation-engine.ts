import type { PlannerState } from '@headroom/core';

/** How one engine tick ended. */
export interface TickOutcome {
  /** The planner state the tick left. */
  nextState: PlannerState;
  /** The tick changed the fleet or has more to settle (actions, intents, errors). */
  acted: boolean;
}

/** What acts on the plans at each tick instant that is not skipped as quiet. */
export interface SimulationEngine {
  tick(atMs: number): TickOutcome | Promise<TickOutcome>;
}
