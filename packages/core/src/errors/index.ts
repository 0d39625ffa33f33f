export * from './config-error.js';
export * from './fenced-write-error.js';
export * from './headroom-error.js';
export * from './instance-not-found-error.js';
export * from './insufficient-capacity-error.js';
export * from './invalid-provider-config-error.js';
export * from './provider-api-error.js';
export * from './quota-exceeded-error.js';
