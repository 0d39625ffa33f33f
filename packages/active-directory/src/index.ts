export * from './active-directory-computer-records.js';
export type * from './active-directory-settings.js';
export * from './computer-record-marker.js';
export * from './map-ldap-error.js';
