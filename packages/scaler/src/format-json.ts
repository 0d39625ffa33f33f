/**
 * `JSON.stringify` replacer writing non-finite numbers as the strings `"Infinity"`, `"-Infinity"`
 * and `"NaN"`: JSON has no such numbers, and the `null` it would write hides an unbounded need.
 */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return String(value);
  return value;
}

/** Pretty JSON text (two-space indent, trailing newline) with non-finite numbers written explicitly. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, jsonReplacer, 2)}\n`;
}
