/**
 * Whether an instance's tags carry every tag of the filter with the same value (the
 * `listInstances` rule). For clouds whose list calls cannot filter by all tags server-side.
 */
export function matchesTags(tags: Readonly<Record<string, string>>, filter: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(filter)) if (tags[key] !== value) return false;
  return true;
}

/** The filter's entries as `key=value` pairs sorted by key: for label selectors and query strings. */
export function tagFilterPairs(filter: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(filter).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
}
