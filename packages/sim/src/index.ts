export const VERSION = '0.1.0';
export * from './cloud-model.js';
export { EventQueue } from './engine/event-queue.js';
export { type SimulateOptions, type SimulationRun, simulate } from './engine/simulate.js';
export { bernoulli, createRandom, type Random, standardNormal, uniform } from './random.js';
export * from './report/index.js';
export * from './results.js';
export { expandSweep, parseSweepParameter, recommendSweepPoint, type SweepParameter } from './sweep.js';
export * from './trace/index.js';
