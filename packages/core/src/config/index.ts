export * from './config-issues-from-zod.js';
export * from './config-schema.js';
export * from './config-views.js';
export * from './parse-config.js';
