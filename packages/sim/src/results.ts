export { dayLabel, dayStarts, spreadOverDays } from './results/calendar-days.js';
export { combineOracles, computeOracle, type OracleOptions, type OracleResult } from './results/compute-oracle.js';
export {
  GAP_PARTS,
  type GapPart,
  type GapSplit,
  type WasteLevel,
  type WasteSample,
} from './results/gap-split.js';
export { paretoFront } from './results/pareto-front.js';
export { percentileOfSorted } from './results/percentile.js';
export {
  createResultsRecorder,
  type DestroyReason,
  type FleetSample,
  type ResultsAutoscale,
  type ResultsRecorder,
  WAIT_HISTOGRAM_BOUNDS_SECONDS,
} from './results/results-recorder.js';
export type {
  ImagePullResult,
  ResourceSeries,
  SimulationResult,
  StagingResult,
  StagingZoneResult,
  SweepPoint,
} from './results/simulation-result.js';
export { stagedHitRate } from './results/staged-hit-rate.js';
