/** A parsed `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"`. */
export interface AuthenticateChallenge {
  /** Lower-cased scheme: `bearer`, `basic`. */
  scheme: string;
  parameters: Record<string, string>;
}

/** Parses the first challenge of a `WWW-Authenticate` header; undefined when there is none. */
export function parseAuthenticateChallenge(header: string): AuthenticateChallenge | undefined {
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const parameters: Record<string, string> = {};
  const pattern = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (const [, key, quoted, bare] of (match[2] ?? '').matchAll(pattern)) {
    if (key) parameters[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (bare ?? '');
  }
  return { scheme: (match[1] as string).toLowerCase(), parameters };
}
