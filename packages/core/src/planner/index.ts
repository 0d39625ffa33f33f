export * from './planner-state.js';
export type * from './scaling-plan.js';
