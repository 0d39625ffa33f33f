export * from './compute-scaling-plan.js';
export * from './demand-growth-profile.js';
export * from './failure-backoff.js';
export * from './match-staged-session.js';
export * from './planner-state.js';
export * from './predictive-standby.js';
export type * from './scaling-plan.js';
export * from './staging-plan.js';
export type * from './staging-types.js';
