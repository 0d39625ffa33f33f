export type * from './compute-provider-v1.js';
export type * from './dns-provider-v1.js';
export type * from './dns-record.js';
export type * from './provider-adapter-v1.js';
export type * from './provider-v1-create-instance-options.js';
export type * from './provider-v1-destroy-instance-options.js';
export type * from './provider-v1-instance.js';
export type * from './provider-v1-list-instances-options.js';
