import type { TickContext } from '../tick-context.js';

/**
 * One step of a tick. Steps run in the order of `TICK_STEPS`; a step that resolves `'stop'` ends the
 * tick without running the rest (nothing acted on). A step reports partial failures with
 * `failTick` and goes on; a thrown error (a fenced write) ends the tick.
 */
export interface TickStep {
  /** kebab-case, as the file is named. */
  readonly name: string;
  run(context: TickContext): Promise<'stop' | undefined>;
}
