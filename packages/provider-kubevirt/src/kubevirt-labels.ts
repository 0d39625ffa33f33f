import { createHash } from 'node:crypto';
import { tagFilterPairs } from '@headroom/core/provider';

/**
 * Headroom's tags as Kubernetes labels.
 *
 * Label values are at most 63 characters of `[A-Za-z0-9._-]`, beginning and ending with a letter or
 * digit (or empty). A tag value that is a valid label value is stored as is. Any other value (too
 * long, spaces, `/`, non-ASCII ...) and any value that already starts with `sha256.` is stored as
 * `sha256.` + the first 56 hex digits of its SHA-256, so selecting by the tag still works. The exact
 * tags are kept in the `headroom-tags` annotation (JSON), which is what `listInstances` reports;
 * a listing re-checks every tag against it, so a hash collision cannot select a foreign object.
 * Tag keys that are not valid label keys are kept only in the annotation.
 */

/** Annotation holding the exact tags as JSON. */
export const TAGS_ANNOTATION = 'headroom-tags';
/** Label naming the VM an object belongs to (Secrets, PVCs, DataVolumes, the VMI). */
export const INSTANCE_LABEL = 'headroom-instance';

const hashedPrefix = 'sha256.';
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelNamePattern = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const labelPrefixPattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Whether a string is a valid label key (`[prefix/]name`, name ≤ 63, prefix a DNS subdomain ≤ 253). */
export function isValidLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const name = slash === -1 ? key : key.slice(slash + 1);
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  if (name.length === 0 || name.length > 63 || !labelNamePattern.test(name)) return false;
  return prefix === undefined || (prefix.length <= 253 && labelPrefixPattern.test(prefix));
}

/** Whether a string is a valid label value. */
export function isValidLabelValue(value: string): boolean {
  return value.length <= 63 && labelValuePattern.test(value);
}

/** The label value that stands for a tag value (itself, or its `sha256.` form). */
export function encodeLabelValue(value: string): string {
  if (isValidLabelValue(value) && !value.startsWith(hashedPrefix)) return value;
  return `${hashedPrefix}${createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 56)}`;
}

/** Labels for tags: every tag whose key is a valid label key, with its value encoded. */
export function encodeTagLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (isValidLabelKey(key)) labels[key] = encodeLabelValue(value);
  }
  return labels;
}

/** An equality label selector (`a=b,c=d`) for the tags that can be labels, sorted by key. */
export function buildLabelSelector(tags: Readonly<Record<string, string>>): string {
  return tagFilterPairs(tags)
    .filter(([key]) => isValidLabelKey(key))
    .map(([key, value]) => `${key}=${encodeLabelValue(value)}`)
    .join(',');
}

/** The annotation entry holding the exact tags. */
export function encodeTagsAnnotation(tags: Readonly<Record<string, string>>): Record<string, string> {
  return { [TAGS_ANNOTATION]: JSON.stringify(tags) };
}

/**
 * The tags an object carries: from the `headroom-tags` annotation, else (objects made by hand or by
 * another tool) its labels.
 */
export function readTags(metadata: {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
}): Record<string, string> {
  const stored = metadata.annotations?.[TAGS_ANNOTATION];
  if (stored !== undefined) {
    try {
      const parsed: unknown = JSON.parse(stored);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const entries = Object.entries(parsed as Record<string, unknown>);
        if (entries.every(([, value]) => typeof value === 'string')) return Object.fromEntries(entries) as never;
      }
    } catch {
      // Fall back to the labels.
    }
  }
  const { [INSTANCE_LABEL]: _instance, ...labels } = metadata.labels ?? {};
  return labels;
}
