export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** JWTs (three base64url parts starting with `eyJ`) are redacted wherever they appear. */
const JWT_PATTERN = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g;
/** Passwords inside URLs (`scheme://user:password@host`). */
const URL_PASSWORD_PATTERN = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"]*:)[^\s@/"]+@/gi;
const REDACTED = '[redacted]';

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
    let result = text.replace(JWT_PATTERN, REDACTED).replace(URL_PASSWORD_PATTERN, `$1${REDACTED}@`);
    for (const secret of ordered) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  };

  const serialise = (value: unknown): unknown => {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return { name: value.name, message: value.message, ...(code !== undefined ? { code } : {}) };
    }
    return value;
  };

  const log = (level: LogLevel, message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < minimum) return;
    const entry: Record<string, unknown> = { time: new Date(now()).toISOString(), level, msg: message };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) entry[key] = serialise(value);
    let line: string;
    try {
      line = JSON.stringify(entry, (_key, value) => (typeof value === 'bigint' ? String(value) : serialise(value)));
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
