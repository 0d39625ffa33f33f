import { readFile } from 'node:fs/promises';

/** Field names whose values are secrets wherever they appear in the config. */
const SECRET_FIELD = /(password|passphrase|secret|token|signingkey|privatekey|nginxkey|apikey|accesskey|url)$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Every secret value the config holds or points to: inline values of secret-named fields, the
 * variables `{ env }` names and the contents of `{ file }` paths, and passwords inside URLs.
 * Used to redact logs; unreadable files and unset variables are skipped.
 */
export async function collectConfigSecrets(config: unknown): Promise<string[]> {
  const found = new Set<string>();
  const visit = async (value: unknown, key: string | undefined): Promise<void> => {
    if (Array.isArray(value)) {
      for (const item of value) await visit(item, key);
      return;
    }
    if (isRecord(value)) {
      const secretField = key !== undefined && SECRET_FIELD.test(key);
      if (secretField && typeof value.env === 'string') {
        const fromEnvironment = process.env[value.env];
        if (fromEnvironment) addSecret(found, fromEnvironment);
        return;
      }
      if (secretField && typeof value.file === 'string') {
        try {
          addSecret(found, (await readFile(value.file, 'utf8')).replace(/\r?\n$/, ''));
        } catch {
          // An unreadable file fails elsewhere with a message naming the path.
        }
        return;
      }
      for (const [childKey, child] of Object.entries(value)) await visit(child, childKey);
      return;
    }
    if (typeof value === 'string' && key !== undefined && SECRET_FIELD.test(key)) addSecret(found, value);
  };
  await visit(config, undefined);
  return [...found];
}

function addSecret(found: Set<string>, value: string): void {
  const urlPassword = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s/]+)@/i.exec(value);
  if (urlPassword?.[1]) {
    found.add(urlPassword[1]);
    try {
      found.add(decodeURIComponent(urlPassword[1]));
    } catch {
      // Not percent-encoded.
    }
    return;
  }
  // URLs without a password (inventory.url) are not secret.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return;
  found.add(value);
}
