import { createHash } from 'node:crypto';

/** A DNS label made of `[a-z0-9-]` from an identifier (other characters become `-`). */
export function toDnsLabel(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * A fresh idempotency key for a create intent: `hr-` and 20 hex digits hashed from the
 * installation, the config, the instant, a per-process sequence and a random draw.
 */
export function createIntentKey(options: {
  managedBy: string;
  pool: string;
  autoscale: string;
  nowMs: number;
  sequence: number;
  random: () => number;
}): string {
  const digest = createHash('sha256')
    .update(
      [
        options.managedBy,
        options.pool,
        options.autoscale,
        options.nowMs,
        options.sequence,
        options.random(),
        options.random(),
      ].join('\u0000'),
    )
    .digest('hex');
  return `hr-${digest.slice(0, 20)}`;
}

/** Length of the hash suffix of instance names. */
export const INSTANCE_NAME_HASH_LENGTH = 8;

/**
 * The deterministic instance name (and Headroom id) of a create intent:
 * `<pool>-<autoscale>-<8 hex digits of the key>`, at most 63 characters (a DNS label).
 */
export function instanceNameFor(options: { pool: string; autoscale: string; intentKey: string }): string {
  const hash = createHash('sha256').update(options.intentKey).digest('hex').slice(0, INSTANCE_NAME_HASH_LENGTH);
  const prefix = `${toDnsLabel(options.pool)}-${toDnsLabel(options.autoscale)}`.slice(
    0,
    63 - INSTANCE_NAME_HASH_LENGTH - 1,
  );
  return `${prefix.replace(/-+$/, '')}-${hash}`;
}

/** Whether `label` looks like a name `instanceNameFor` gives for this pool and autoscale config. */
export function isInstanceNameOf(options: { label: string; pool: string; autoscale: string }): boolean {
  const prefix = `${toDnsLabel(options.pool)}-${toDnsLabel(options.autoscale)}`
    .slice(0, 63 - INSTANCE_NAME_HASH_LENGTH - 1)
    .replace(/-+$/, '');
  if (!options.label.startsWith(`${prefix}-`)) return false;
  const rest = options.label.slice(prefix.length + 1);
  return new RegExp(`^[0-9a-f]{${INSTANCE_NAME_HASH_LENGTH}}$`).test(rest);
}
