export const VERSION = '0.1.0';
export type { SqliteMigration } from './sqlite-migrations.js';
export { migrateSqliteSchema, SQLITE_MIGRATIONS } from './sqlite-migrations.js';
export type { SqliteStateStore, SqliteStateStoreOptions } from './sqlite-state-store.js';
export { createSqliteStateStore } from './sqlite-state-store.js';
export { SqliteStoreLockedError } from './sqlite-store-locked-error.js';
