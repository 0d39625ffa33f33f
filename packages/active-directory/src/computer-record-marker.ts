/** Prefix of the `description` Headroom writes on the computer objects it creates. */
const MARKER_PREFIX = 'headroom';

/** The `description` marking a computer object as created by `managedBy` for an instance and intent. */
export function formatComputerRecordMarker(options: {
  managedBy: string;
  instanceName: string;
  intentKey: string;
}): string {
  return `${MARKER_PREFIX} managed-by=${options.managedBy} instance=${options.instanceName} intent=${options.intentKey}`;
}

/** The parts of a marker, or undefined when `description` is not one (a record Headroom did not create). */
export function parseComputerRecordMarker(
  description: string,
): { managedBy: string; instanceName: string; intentKey: string } | undefined {
  const match = /^headroom managed-by=(\S+) instance=(\S+) intent=(\S+)$/.exec(description);
  if (!match) return undefined;
  return { managedBy: match[1]!, instanceName: match[2]!, intentKey: match[3]! };
}

/** RFC 4515 escaping of a value inside a search filter. */
export function escapeFilterValue(value: string): string {
  return value
    .replace(/[\\*()]/g, (character) => `\\${character.charCodeAt(0).toString(16)}`)
    .replaceAll(String.fromCharCode(0), '\\00');
}

/** The search filter matching computer objects marked by `managedBy`. */
export function markedComputersFilter(managedBy: string): string {
  return `(&(objectClass=computer)(description=${MARKER_PREFIX} managed-by=${escapeFilterValue(managedBy)} *))`;
}
