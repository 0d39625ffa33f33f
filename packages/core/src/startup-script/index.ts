export * from './server-id.js';
export type * from './startup-script-placeholder.js';
export * from './startup-script-placeholder-catalogue.js';
export * from './startup-script-placeholder-issues.js';
export * from './startup-script-values.js';
export * from './upstream-auth-address-problem.js';
