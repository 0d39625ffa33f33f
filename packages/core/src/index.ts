export * from './clock/index.js';
export * from './config/index.js';
export * from './errors/index.js';
export * from './model/index.js';
export * from './planner/index.js';
export * from './provider/tags.js';
export type * from './provider/v1/index.js';
export * from './schedule/index.js';
export type * from './store/index.js';
