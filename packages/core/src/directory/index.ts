export * from './computer-name.js';
export type * from './computer-record-directory.js';
export * from './generate-join-password.js';
