export * from './config-schema.js';
export * from './config-views.js';
export * from './parse-config.js';
export * from './ssh-private-key-problem.js';
export * from './ssh-public-key.js';
export { mapZodIssues } from './zod-issues.js';
