import { HEADROOM_TAGS } from '../tags.js';

/** What the four `headroom-*` tags of a managed instance say. */
export interface ManagedTagValues {
  /** Identifies the Headroom installation that owns the instance. */
  managedBy: string;
  pool: string;
  autoscale: string;
  /** The idempotency key of the create intent. */
  intentKey: string;
}

/** The four `headroom-*` tags every instance Headroom creates carries. */
export function buildManagedTags(values: ManagedTagValues): Record<string, string> {
  return {
    [HEADROOM_TAGS.managedBy]: values.managedBy,
    [HEADROOM_TAGS.pool]: values.pool,
    [HEADROOM_TAGS.autoscale]: values.autoscale,
    [HEADROOM_TAGS.intent]: values.intentKey,
  };
}

/**
 * Reads the `headroom-*` tags back; undefined when any of the four is missing or empty.
 */
export function readManagedTags(tags: Readonly<Record<string, string>>): ManagedTagValues | undefined {
  const managedBy = tags[HEADROOM_TAGS.managedBy];
  const pool = tags[HEADROOM_TAGS.pool];
  const autoscale = tags[HEADROOM_TAGS.autoscale];
  const intentKey = tags[HEADROOM_TAGS.intent];
  if (!managedBy || !pool || !autoscale || !intentKey) return undefined;
  return { managedBy, pool, autoscale, intentKey };
}

/**
 * Whether the tags mark an instance as managed by Headroom (by the installation `managedBy`, when
 * given).
 */
export function isManaged(tags: Readonly<Record<string, string>>, managedBy?: string): boolean {
  const value = tags[HEADROOM_TAGS.managedBy];
  if (!value) return false;
  return managedBy === undefined || value === managedBy;
}

const reservedTagPrefix = 'headroom-';

/** Whether a tag key is reserved for Headroom (`headroom-*`). */
export function isReservedTagKey(key: string): boolean {
  return key.startsWith(reservedTagPrefix);
}

/**
 * Merges user-configured tags with Headroom's: custom tags are kept, except keys in the reserved
 * `headroom-*` namespace, which only `managedTags` set. Returns the merged tags and the custom keys
 * that were dropped.
 */
export function mergeCustomTags(options: {
  managedTags: Readonly<Record<string, string>>;
  customTags?: Readonly<Record<string, string>>;
}): { tags: Record<string, string>; droppedKeys: string[] } {
  const tags: Record<string, string> = {};
  const droppedKeys: string[] = [];
  for (const [key, value] of Object.entries(options.customTags ?? {})) {
    if (isReservedTagKey(key)) droppedKeys.push(key);
    else tags[key] = value;
  }
  return { tags: { ...tags, ...options.managedTags }, droppedKeys };
}
