import { isAbsolute, resolve } from 'node:path';

/** Provider config fields the core schema owns; the rest belongs to the adapter. */
const COMMON_FIELDS = new Set(['type', 'name']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A relative `{ file }` secret made absolute against the config file's folder; anything else as is. */
function absoluteSecretFiles(value: unknown, configDirectory: string): unknown {
  if (Array.isArray(value)) return value.map((item) => absoluteSecretFiles(item, configDirectory));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'file' && typeof value.file === 'string') {
    return { file: isAbsolute(value.file) ? value.file : resolve(configDirectory, value.file) };
  }
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      // The override is the cloud's request body, not settings: left exactly as written.
      key === 'configOverride' ? item : absoluteSecretFiles(item, configDirectory),
    ]),
  );
}

/**
 * The adapter's part of a `providers.<id>` / `dnsProviders.<id>` entry: without `type` and `name`,
 * with relative `{ file }` secrets resolved next to the config file (when its folder is known).
 */
export function providerEntrySettings(
  entry: Readonly<Record<string, unknown>>,
  configDirectory: string | undefined,
): Record<string, unknown> {
  const settings = Object.fromEntries(Object.entries(entry).filter(([key]) => !COMMON_FIELDS.has(key)));
  return configDirectory === undefined
    ? settings
    : (absoluteSecretFiles(settings, configDirectory) as Record<string, unknown>);
}
