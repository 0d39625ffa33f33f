export * from './compute-scaling-plan.js';
export * from './demand-growth-profile.js';
export * from './failure-backoff.js';
export * from './planner-state.js';
export type * from './scaling-plan.js';
