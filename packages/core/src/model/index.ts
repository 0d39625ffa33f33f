export * from './instance.js';
export * from './resources.js';
export * from './snapshot-schema.js';
