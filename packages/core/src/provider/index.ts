export * from '../clock/clock.js';
export { formatConfigPath, mapZodIssues } from '../config/zod-issues.js';
export * from '../errors/index.js';
export type * from '../model/resources.js';
export * from './tags.js';
export * from './utils/index.js';
export type * from './v1/index.js';
