import { jsonReplacer } from '../format-json.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JWTs (three base64url parts starting with `eyJ`) are redacted wherever they appear. */
const JWT_PATTERN = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
/** Passwords inside URLs (`scheme://user:password@host`). */
const URL_PASSWORD_PATTERN = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s@/"]+@/gi;
/** Query values of absolute URLs (`?token=…&sig=…`): they often carry credentials. */
const URL_QUERY_PATTERN = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s"?#]*\?)([^\s"#]*)/gi;
/** Credential-like query parameters anywhere (`/path?token=…`, `access_token=…`). */
const QUERY_CREDENTIAL_PATTERN =
  /([?&](?:[\w.-]*(?:token|key|secret|password|signature|credential)[\w.-]*|sig|auth|code)=)[^&\s"#]+/gi;
const REDACTED = '[redacted]';
/** How deep `cause` chains of logged errors are followed. */
const MAX_CAUSE_DEPTH = 4;

/** Structured JSON logger, one object per line; every registered secret is replaced before writing. */
export interface JsonLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Registers values that must never be written (tokens, keys, passwords). */
  addSecrets(secrets: Iterable<string>): void;
  /** Applies the redaction rules to a text. */
  redact(text: string): string;
}

export function createJsonLogger(options: {
  stream: NodeJS.WritableStream;
  level?: LogLevel;
  now?: () => number;
}): JsonLogger {
  const minimum = LEVELS[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const secrets = new Set<string>();
  let ordered: string[] = [];

  const redact = (text: string): string => {
    let result = text
      .replace(JWT_PATTERN, REDACTED)
      .replace(URL_PASSWORD_PATTERN, `$1${REDACTED}@`)
      .replace(URL_QUERY_PATTERN, (_match, prefix: string, query: string) => {
        const values = query.replace(/=[^&]*/g, `=${REDACTED}`);
        return `${prefix}${values}`;
      })
      .replace(QUERY_CREDENTIAL_PATTERN, `$1${REDACTED}`);
    for (const secret of ordered) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  };

  /** Errors keep name, message, code, stack and their `cause` chain (redacted like everything else). */
  const serialiseError = (error: Error, depth: number): Record<string, unknown> => {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: unknown }).cause;
    return {
      name: error.name,
      message: error.message,
      ...(code !== undefined ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
      ...(cause !== undefined && depth < MAX_CAUSE_DEPTH
        ? { cause: cause instanceof Error ? serialiseError(cause, depth + 1) : cause }
        : {}),
    };
  };
  const serialise = (value: unknown): unknown => (value instanceof Error ? serialiseError(value, 0) : value);

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < minimum) return;
    const entry: Record<string, unknown> = { time: new Date(now()).toISOString(), level, msg: message };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = serialise(value);
    let line: string;
    try {
      line = JSON.stringify(entry, (key, value) => jsonReplacer(key, serialise(value)));
    } catch {
      line = JSON.stringify({ time: entry.time, level, msg: message });
    }
    options.stream.write(`${redact(line)}\n`);
  };

  return {
    log,
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
    addSecrets(values) {
      for (const value of values) {
        // Short values would redact ordinary words; the schema asks for long secrets anyway.
        if (value.length >= 4) {
          secrets.add(value);
          const escaped = JSON.stringify(value).slice(1, -1);
          if (escaped !== value) secrets.add(escaped);
        }
      }
      ordered = [...secrets].sort((a, b) => b.length - a.length);
    },
    redact,
  };
}
