export const VERSION = '0.1.0';

export * from './compute-assertions.js';
export * from './conformance-helpers.js';
export * from './conformance-runner.js';
export * from './create-fake-api-server.js';
export * from './dns-conformance-suite.js';
export * from './provider-conformance-suite.js';
export * from './state-store-suite.js';
export * from './test-tls-certificate.js';
