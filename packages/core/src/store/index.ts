export type * from './state-store.js';
