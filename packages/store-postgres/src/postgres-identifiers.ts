import { ConfigError } from '@headroom/core';

/** The schema the PostgreSQL store and elector use when none is given. */
export const DEFAULT_POSTGRES_SCHEMA = 'headroom';

const schemaPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Checks a schema name (letters, digits, `_`; at most 63) and returns it double-quoted for SQL. */
export function quotePostgresSchema(schema: string): string {
  if (!schemaPattern.test(schema)) {
    throw new ConfigError({
      issues: [{ path: 'schema', message: 'must be letters, digits and _, not starting with a digit, at most 63' }],
      source: 'PostgreSQL state store options',
    });
  }
  return `"${schema}"`;
}

/**
 * A 64-bit advisory-lock key derived from `name` (FNV-1a), as the decimal string of a signed
 * `bigint`, so that each schema gets its own leader and migration locks in a shared database.
 */
export function advisoryLockKey(name: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return BigInt.asIntN(64, hash).toString();
}
