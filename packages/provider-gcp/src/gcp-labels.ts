import { createHash } from 'node:crypto';

/**
 * Headroom's tags as GCP labels. GCP allows label keys and values of at most 63 lowercase letters,
 * digits, `_` and `-` (keys start with a letter). The encoding is reversible:
 *
 * - a key that matches `[a-z][a-z0-9-]{0,62}` (a value: `[a-z0-9-]{0,63}`) is stored as is;
 * - any other is stored as `x_` followed by the text in which every byte of its UTF-8 form outside
 *   `[a-z0-9-]` is written as `_` and two lowercase hex digits (`Linux.Agents` → `x__4cinux_2e_41gents`);
 * - a key or value longer than 63 characters once encoded is stored as `h_` and 32 hex digits of
 *   its SHA-256, and the exact tag goes into the instance metadata item `headroom-tags` (JSON).
 *
 * Plain text never contains `_`, so the forms cannot be confused. Filters use the same encoding.
 */
const plainKey = /^[a-z][a-z0-9-]{0,62}$/;
const plainValue = /^[a-z0-9-]{0,63}$/;
const labelLimit = 63;
const escapedPrefix = 'x_';
const hashedPrefix = 'h_';

/** Metadata item carrying the exact tags whose labels are hashed. */
export const GCP_TAGS_METADATA_KEY = 'headroom-tags';

function escapeText(text: string): string {
  let escaped = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const character = String.fromCharCode(byte);
    escaped += /[a-z0-9-]/.test(character) ? character : `_${byte.toString(16).padStart(2, '0')}`;
  }
  return `${escapedPrefix}${escaped}`;
}

function unescapeText(encoded: string): string | undefined {
  const body = encoded.slice(escapedPrefix.length);
  const bytes: number[] = [];
  for (let index = 0; index < body.length; index++) {
    const character = body[index] as string;
    if (character !== '_') {
      bytes.push(character.charCodeAt(0));
      continue;
    }
    const hex = body.slice(index + 1, index + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
    bytes.push(Number.parseInt(hex, 16));
    index += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

function hashText(text: string): string {
  return `${hashedPrefix}${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32)}`;
}

function encodeText(text: string, plain: RegExp): { encoded: string; hashed: boolean } {
  if (plain.test(text)) return { encoded: text, hashed: false };
  const escaped = escapeText(text);
  return escaped.length <= labelLimit ? { encoded: escaped, hashed: false } : { encoded: hashText(text), hashed: true };
}

/** The label key of a tag key. */
export function encodeGcpLabelKey(key: string): string {
  return encodeText(key, plainKey).encoded;
}

/** The label value of a tag value. */
export function encodeGcpLabelValue(value: string): string {
  return encodeText(value, plainValue).encoded;
}

/**
 * Labels for tags, and the tags whose key or value had to be hashed (to be stored in the
 * `headroom-tags` metadata item).
 */
export function encodeGcpLabels(tags: Readonly<Record<string, string>>): {
  labels: Record<string, string>;
  hashedTags: Record<string, string>;
} {
  const labels: Record<string, string> = {};
  const hashedTags: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    const encodedKey = encodeText(key, plainKey);
    const encodedValue = encodeText(value, plainValue);
    labels[encodedKey.encoded] = encodedValue.encoded;
    if (encodedKey.hashed || encodedValue.hashed) hashedTags[key] = value;
  }
  return { labels, hashedTags };
}

function decodeText(text: string): string {
  if (!text.startsWith(escapedPrefix)) return text;
  return unescapeText(text) ?? text;
}

function parseHashedTags(json: string | undefined): Record<string, string> {
  if (!json) return {};
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
}

/**
 * Tags from an instance's labels (and its `headroom-tags` metadata item). Labels Headroom did not
 * write come back as they are, unless they look like the `x_` form.
 */
export function decodeGcpLabels(options: {
  labels: Readonly<Record<string, string>> | null | undefined;
  hashedTagsJson?: string | null | undefined;
}): Record<string, string> {
  const hashedTags = parseHashedTags(options.hashedTagsJson ?? undefined);
  const hashedLabels = new Map<string, [string, string]>();
  for (const [key, value] of Object.entries(hashedTags)) {
    hashedLabels.set(`${encodeGcpLabelKey(key)}=${encodeGcpLabelValue(value)}`, [key, value]);
  }
  const tags: Record<string, string> = {};
  for (const [labelKey, labelValue] of Object.entries(options.labels ?? {})) {
    const hashed = hashedLabels.get(`${labelKey}=${labelValue}`);
    if (hashed) tags[hashed[0]] = hashed[1];
    else tags[decodeText(labelKey)] = decodeText(labelValue);
  }
  return tags;
}

/**
 * A Compute Engine list filter selecting instances whose labels carry every tag:
 * `(labels.k1 = "v1") (labels.k2 = "v2")`. Encoded labels need no quoting.
 */
export function buildGcpLabelFilter(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([key, value]) => `(labels.${encodeGcpLabelKey(key)} = "${encodeGcpLabelValue(value)}")`)
    .join(' ');
}
