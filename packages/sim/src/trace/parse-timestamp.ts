import { DateTime, IANAZone } from 'luxon';

const epochSecondsPattern = /^-?\d+(\.\d+)?$/;

/** True when `timezone` is an IANA zone name luxon knows (or `UTC`). */
export function isKnownTimezone(timezone: string): boolean {
  return IANAZone.isValidZone(timezone);
}

/**
 * Parses epoch seconds (`1700000000`, `1700000000.5`) or ISO-8601. ISO-8601 without an offset is
 * local time in `timezone`. Returns epoch ms, or `undefined` when the text is neither.
 */
export function parseTimestamp(text: string, timezone: string): number | undefined {
  if (epochSecondsPattern.test(text)) return Number(text) * 1000;
  const parsed = DateTime.fromISO(text, { zone: timezone });
  return parsed.isValid ? parsed.toMillis() : undefined;
}
