export const VERSION = '0.1.0';
export * from './cloud-model.js';
export { EventQueue } from './engine/event-queue.js';
export { floorCloud, floorConfig } from './engine/floor-run.js';
export { type SimulateOptions, type SimulationRun, simulate } from './engine/simulate.js';
export { bernoulli, createRandom, type Random, standardNormal, uniform } from './random.js';
export * from './report/index.js';
export * from './results.js';
export { type StagingSweepPoint, sweepStagingDesiredSessions } from './staging-sweep.js';
export {
  expandSweep,
  parseSweepParameter,
  recommendSweepPoint,
  STAGING_SWEEP_PREFIX,
  type SweepParameter,
} from './sweep.js';
export * from './trace/index.js';
