export * from './instance.js';
export * from './resources.js';
