export * from './demand-samples.js';
export * from './memory-state-store.js';
export type * from './state-store.js';
