import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateStore } from '@headroom/core';
import { stateStoreSuite } from '@headroom/testkit';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { keepUntilExit } from './keep-until-exit.js';
import { migrateSqliteSchema, SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import { createSqliteStateStore } from './sqlite-state-store.js';
import { SqliteStoreLockedError } from './sqlite-store-locked-error.js';

const directory = mkdtempSync(join(tmpdir(), 'headroom-store-sqlite-'));
let fileCounter = 0;
const paths = new WeakMap<StateStore, string>();
const betterSqlite3Path = createRequire(import.meta.url).resolve('better-sqlite3');

function nextPath(): string {
  fileCounter += 1;
  return join(directory, `state-${fileCounter}.sqlite`);
}

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

stateStoreSuite({
  runner: { describe, test, beforeAll, afterAll },
  name: 'SQLite state store',
  createStore: async () => {
    const path = nextPath();
    const store = createSqliteStateStore({ path });
    paths.set(store, path);
    return store;
  },
  reopenStore: async ({ store }) => {
    const path = paths.get(store);
    if (!path) throw new Error('unknown store');
    return createSqliteStateStore({ path });
  },
});

/** Runs a script in another Node process that uses better-sqlite3 on `path` directly. */
function runOtherProcess(script: string, path: string): { stdout: string; status: number | null } {
  const result = spawnSync(process.execPath, ['-e', script, betterSqlite3Path, path], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: result.stdout.trim(), status: result.status };
}

const tryWriteScript = `
const Database = require(process.argv[1]);
const database = new Database(process.argv[2], { timeout: 100 });
try { database.exec('BEGIN EXCLUSIVE; COMMIT'); console.log('acquired'); }
catch (error) { console.log(error.code); }
finally { database.close(); }
`;

describe('createSqliteStateStore', () => {
  test('uses the WAL journal and records the applied migrations', async () => {
    const path = nextPath();
    const store = createSqliteStateStore({ path });
    await store.init();
    await store.init();
    await store.close();
    const database = new BetterSqlite3(path);
    keepUntilExit(database);
    try {
      expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = database.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
      expect(versions).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    } finally {
      database.close();
    }
  });

  test('another process cannot write while the store is open, and can after close', async () => {
    const path = nextPath();
    const store = createSqliteStateStore({ path });
    await store.init();
    try {
      expect(runOtherProcess(tryWriteScript, path).stdout).toBe('SQLITE_BUSY');
    } finally {
      await store.close();
    }
    expect(runOtherProcess(tryWriteScript, path).stdout).toBe('acquired');
  });

  test('a second store on the same file fails with SqliteStoreLockedError', async () => {
    const path = nextPath();
    const first = createSqliteStateStore({ path });
    await first.init();
    try {
      const second = createSqliteStateStore({ path, lockTimeoutMs: 50 });
      const error = await second.init().catch((caught: unknown) => caught);
      expect(SqliteStoreLockedError.isInstance(error)).toBe(true);
      expect(String((error as Error).message)).toContain(path);
      await second.close();
    } finally {
      await first.close();
    }
  });

  test('the lock of a process killed with SIGKILL is released', async () => {
    const path = nextPath();
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `
        const Database = require(process.argv[1]);
        const database = new Database(process.argv[2]);
        database.pragma('locking_mode = EXCLUSIVE');
        database.pragma('journal_mode = WAL');
        database.exec('BEGIN EXCLUSIVE; COMMIT');
        console.log('holding');
        setInterval(() => {}, 1000);
        `,
        betterSqlite3Path,
        path,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject);
        holder.once('exit', (code) => reject(new Error(`holder exited early with ${code}`)));
        holder.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('holding')) resolve();
        });
      });
      const blocked = createSqliteStateStore({ path, lockTimeoutMs: 50 });
      const error = await blocked.init().catch((caught: unknown) => caught);
      expect(SqliteStoreLockedError.isInstance(error)).toBe(true);
      await blocked.close();
    } finally {
      const exited = new Promise((resolve) => holder.once('exit', resolve));
      holder.kill('SIGKILL');
      await exited;
    }
    const store = createSqliteStateStore({ path, lockTimeoutMs: 50 });
    await store.init();
    await store.putIntent({
      epoch: 1,
      intent: {
        key: 'after-kill',
        kind: 'create',
        pool: 'p',
        autoscale: 'a',
        provider: 'fake',
        instanceName: 'hr-after-kill',
        status: 'open',
        attempts: 0,
        createdAt: '2026-11-22T10:00:00.000Z',
        updatedAt: '2026-11-22T10:00:00.000Z',
      },
    });
    expect((await store.listIntents()).map((intent) => intent.key)).toEqual(['after-kill']);
    await store.close();
  });

  test('calls before init or after close are refused', async () => {
    const store = createSqliteStateStore({ path: nextPath() });
    await expect(store.listInstances()).rejects.toThrow(/init\(\)/);
    await store.init();
    await store.close();
    await expect(store.listInstances()).rejects.toThrow(/closed/);
    await expect(store.init()).rejects.toThrow(/closed/);
  });
});

describe('migrateSqliteSchema', () => {
  test('applies only versions not yet recorded, in order', () => {
    const database = new BetterSqlite3(':memory:');
    keepUntilExit(database);
    try {
      const applied: string[] = [];
      const migrations = [
        { version: 2, name: 'second', up: () => void applied.push('second') },
        { version: 1, name: 'first', up: () => void applied.push('first') },
      ];
      expect(migrateSqliteSchema({ database, migrations: migrations.slice(1) }).appliedVersions).toEqual([1]);
      expect(migrateSqliteSchema({ database, migrations }).appliedVersions).toEqual([2]);
      expect(migrateSqliteSchema({ database, migrations }).appliedVersions).toEqual([]);
      expect(applied).toEqual(['first', 'second']);
    } finally {
      database.close();
    }
  });

  test('a failing migration leaves no trace of itself', () => {
    const database = new BetterSqlite3(':memory:');
    keepUntilExit(database);
    try {
      const migrations = [
        {
          version: 1,
          name: 'broken',
          up: (target: BetterSqlite3.Database) => {
            target.exec('CREATE TABLE half (id INTEGER)');
            throw new Error('boom');
          },
        },
      ];
      expect(() => migrateSqliteSchema({ database, migrations })).toThrow('boom');
      expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
      expect(database.prepare('SELECT COUNT(*) AS count FROM schema_migrations').get()).toEqual({ count: 0 });
    } finally {
      database.close();
    }
  });

  test('refuses a database written by a newer release', () => {
    const database = new BetterSqlite3(':memory:');
    keepUntilExit(database);
    try {
      migrateSqliteSchema({ database });
      database.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'x')").run();
      expect(() => migrateSqliteSchema({ database })).toThrow(/version 99, newer/);
    } finally {
      database.close();
    }
  });
});
