import { parseCommandArguments } from '../parse-command-arguments.js';
import { UsageError } from '../usage-error.js';

/** Checked settings of one `headroom load` run. */
export interface LoadOptions {
  pool: string;
  ratePerMinute: number;
  durationSeconds: number;
  sessionSeconds: number;
  shape: { cores: number; memoryMb: number; gpus: number };
  maxSessions: number;
  intervalSeconds: number;
  seed: number;
  /** The running service; loopback unless --allow-remote. */
  base: URL;
  headers: Record<string, string>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;

function number(
  value: string | undefined,
  flag: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < bounds.min || parsed > bounds.max) {
    throw new UsageError(`${flag} ${value}: must be a number from ${bounds.min} to ${bounds.max}`);
  }
  return parsed;
}

/**
 * Parses and bounds the flags of `headroom load`; the token falls back to HEADROOM_API_TOKEN.
 * @throws UsageError naming the flag on a missing or out-of-range value or a non-loopback --url.
 */
export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseCommandArguments(
    argv,
    {
      url: { type: 'string' },
      token: { type: 'string' },
      rate: { type: 'string' },
      pool: { type: 'string' },
      duration: { type: 'string' },
      'session-seconds': { type: 'string' },
      cores: { type: 'string' },
      'memory-mb': { type: 'string' },
      gpus: { type: 'string' },
      'max-sessions': { type: 'string' },
      'interval-seconds': { type: 'string' },
      seed: { type: 'string' },
      'allow-remote': { type: 'boolean' },
    },
    'load',
  );
  if (values.rate === undefined) throw new UsageError('missing required --rate (see headroom load --help)');
  if (!values.pool) throw new UsageError('missing required --pool (see headroom load --help)');
  const pool = values.pool;
  const ratePerMinute = number(values.rate, '--rate', 0, { min: 0, max: 10_000 });
  const durationSeconds = number(values.duration, '--duration', 300, { min: 1, max: 86_400 });
  const sessionSeconds = number(values['session-seconds'], '--session-seconds', 120, { min: 1, max: 86_400 });
  const shape = {
    cores: number(values.cores, '--cores', 1, { min: 0, max: 1024 }),
    memoryMb: number(values['memory-mb'], '--memory-mb', 1024, { min: 0, max: 4_194_304 }),
    gpus: number(values.gpus, '--gpus', 0, { min: 0, max: 64 }),
  };
  const maxSessions = number(values['max-sessions'], '--max-sessions', 1000, { min: 1, max: 100_000 });
  const intervalSeconds = number(values['interval-seconds'], '--interval-seconds', 2, { min: 0.1, max: 60 });
  const seed = number(values.seed, '--seed', 1, { min: 0, max: 2 ** 31 });
  const base = parseBaseUrl(values.url, values['allow-remote'] === true);
  const token = values.token ?? process.env.HEADROOM_API_TOKEN;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return {
    pool,
    ratePerMinute,
    durationSeconds,
    sessionSeconds,
    shape,
    maxSessions,
    intervalSeconds,
    seed,
    base,
    headers,
  };
}

function parseBaseUrl(url: string | undefined, allowRemote: boolean): URL {
  let base: URL;
  try {
    base = new URL(url ?? 'http://127.0.0.1:8080');
  } catch {
    throw new UsageError(`--url ${url}: not a URL`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`--url ${url}: must be http(s)`);
  if (!LOOPBACK.test(base.hostname) && !allowRemote) {
    throw new UsageError(`--url ${base.origin}: only 127.0.0.1 is allowed unless --allow-remote is given`);
  }
  return base;
}
