export const VERSION = '0.1.0';
export { advisoryLockKey, DEFAULT_POSTGRES_SCHEMA } from './postgres-identifiers.js';
export type { PostgresLeaderElector, PostgresLeaderElectorOptions } from './postgres-leader-elector.js';
export { createPostgresLeaderElector } from './postgres-leader-elector.js';
export type { PostgresMigration } from './postgres-migrations.js';
export { migratePostgresSchema, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
export type { PostgresStateStore, PostgresStateStoreOptions } from './postgres-state-store.js';
export { createPostgresStateStore } from './postgres-state-store.js';
