import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { LeaderElector, StateStore } from '@headroom/core';
import { StartupError } from '../startup-error.js';
import type { JsonLogger } from './json-logger.js';
import type { ServiceConfig } from './service-config.js';

/** Host and port of a PostgreSQL URL, for messages (never the password). */
function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL at ${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * Opens and initialises the state store the config names (SQLite by default, under `stateDir`),
 * with a PostgreSQL leader elector when the store is shared.
 * @throws StartupError naming the store when it cannot be reached or opened.
 */
export async function openStateStore(options: {
  loaded: ServiceConfig;
  configPath: string;
  stateDir: string;
  holderId: string;
  logger: JsonLogger;
}): Promise<{ store: StateStore; leaderElector?: LeaderElector }> {
  const { loaded, holderId, logger } = options;
  const state = loaded.settings.state;
  let store: StateStore;
  let leaderElector: LeaderElector | undefined;
  let description: string;
  if (state && 'postgres' in state && loaded.postgresUrl) {
    const { createPostgresLeaderElector, createPostgresStateStore } = await import('@headroom/store-postgres');
    const schema = state.postgres.schema;
    description = describePostgres(loaded.postgresUrl);
    store = createPostgresStateStore({ url: loaded.postgresUrl, ...(schema ? { schema } : {}) });
    leaderElector = createPostgresLeaderElector({
      url: loaded.postgresUrl,
      holderId,
      ...(schema ? { schema } : {}),
      onLeadershipLost: (leadership) => logger.warn('leadership lost', { epoch: leadership.epoch }),
    });
  } else {
    const path =
      state && 'sqlite' in state
        ? isAbsolute(state.sqlite)
          ? state.sqlite
          : resolve(dirname(options.configPath), state.sqlite)
        : join(resolve(options.stateDir), 'state.sqlite');
    description = `SQLite database ${path}`;
    const { createSqliteStateStore } = await import('@headroom/store-sqlite');
    try {
      await mkdir(dirname(path), { recursive: true });
      store = createSqliteStateStore({ path });
    } catch (error) {
      throw new StartupError(`cannot open the state store (${description}): ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const reason = logger.redact((error as Error).message || String(code ?? error));
    throw new StartupError(`cannot open the state store (${description}): ${reason}`, { cause: error });
  }
  return { store, ...(leaderElector ? { leaderElector } : {}) };
}
