import { createHash } from 'node:crypto';

/** Longest NetBIOS computer name Windows accepts. */
export const COMPUTER_NAME_MAX_LENGTH = 15;

/**
 * The NetBIOS computer name of the server a create intent starts: up to 6 letters or digits of the
 * pool id, `-`, and 8 hex digits hashed from the intent key, upper case (at most 15 characters,
 * as Windows requires). The same intent always gets the same name.
 */
export function computerNameFor(options: { pool: string; intentKey: string }): string {
  const prefix = options.pool
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '')
    .slice(0, 6);
  const hash = createHash('sha256').update(`computer\u0000${options.intentKey}`).digest('hex').slice(0, 8);
  return `${prefix || 'HR'}-${hash.toUpperCase()}`;
}
