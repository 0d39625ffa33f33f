/**
 * DigitalOcean tags are bare names (letters, digits, `:`, `-`, `_`; at most 255 characters), while
 * Headroom's tags are key/value pairs. A pair is stored as one tag `<key>:<value>`; characters
 * outside letters, digits and `-` (including `:` and `_` themselves) are written `_HH`, the hex
 * of each UTF-8 byte, so that the encoding is reversible and listing by tag matches exactly.
 */
export function encodeDoTag(key: string, value: string): string {
  return `${escapePart(key)}:${escapePart(value)}`;
}

/**
 * Reads a droplet tag back: `<key>:<value>` pairs written by `encodeDoTag`; any other tag (a
 * user's plain tag) becomes a key with an empty value.
 */
export function decodeDoTag(tag: string): [string, string] {
  const separator = tag.indexOf(':');
  if (separator > 0 && tag.indexOf(':', separator + 1) === -1) {
    const key = unescapePart(tag.slice(0, separator));
    const value = unescapePart(tag.slice(separator + 1));
    if (key !== undefined && value !== undefined) return [key, value];
  }
  return [tag, ''];
}

/** Decodes every tag of a droplet into a record. */
export function decodeDoTags(tags: readonly string[]): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const tag of tags) {
    const [key, value] = decodeDoTag(tag);
    decoded[key] = value;
  }
  return decoded;
}

function escapePart(text: string): string {
  let escaped = '';
  for (const character of text) {
    if (/^[A-Za-z0-9-]$/.test(character)) escaped += character;
    else
      for (const byte of Buffer.from(character, 'utf8'))
        escaped += `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return escaped;
}

function unescapePart(text: string): string | undefined {
  if (!/^([A-Za-z0-9-]|_[0-9A-F]{2})*$/.test(text)) return undefined;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '_') {
      bytes.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
      index += 2;
    } else bytes.push(text.charCodeAt(index));
  }
  const decoded = Buffer.from(bytes).toString('utf8');
  return escapePart(decoded) === text ? decoded : undefined;
}
