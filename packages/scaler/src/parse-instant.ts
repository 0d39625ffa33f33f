import { UsageError } from './usage-error.js';

/** Parses an ISO-8601 instant given for a flag; a value without a zone is refused (it would be ambiguous). */
export function parseInstantFlag(value: string, flag: string): number {
  if (!/(Z|[+-]\d\d:?\d\d)$/i.test(value)) {
    throw new UsageError(`${flag} ${value}: give an ISO-8601 instant with a zone, e.g. 2026-11-23T09:00:00Z`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`${flag} ${value}: not an ISO-8601 instant`);
  return ms;
}
