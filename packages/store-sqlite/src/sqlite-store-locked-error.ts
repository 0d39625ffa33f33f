import { HeadroomError } from '@headroom/core';

const name = 'SqliteStoreLockedError';
const marker = `headroom.error.${name}`;
const symbol = Symbol.for(marker);

/**
 * Another connection (usually another scaler process) holds the SQLite state file: a SQLite store
 * has exactly one writer. Stop the other process, or give each process its own file.
 */
export class SqliteStoreLockedError extends HeadroomError {
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: isInstance reads the marker through Symbol.for
  private readonly [symbol] = true;
  readonly path: string;

  constructor({ path, lockTimeoutMs, cause }: { path: string; lockTimeoutMs: number; cause?: unknown }) {
    super({
      name,
      message: `[headroom] [store-sqlite] ${path} is held by another process (waited ${lockTimeoutMs} ms); a SQLite state store has one writer`,
      cause,
    });
    this.path = path;
  }

  static override isInstance(error: unknown): error is SqliteStoreLockedError {
    return HeadroomError.hasMarker(error, marker);
  }
}
