import {
  createSeededRandom,
  type Instance,
  type LedgerInstance,
  type QueuedRequest,
  type Session,
} from '@headroom/core';
import type { Command } from '../command.js';
import { parseCommandArguments } from '../parse-command-arguments.js';
import { UsageError } from '../usage-error.js';

interface SimulatedSession {
  id: string;
  cores: number;
  memoryMb: number;
  gpus: number;
  arrivedAtMs: number;
  endsAtMs: number;
  instanceId?: string;
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

export const loadCommand: Command = {
  name: 'load',
  summary: 'play a control plane: start sessions at a rate and report the fleet to a running "headroom run"',
  usage:
    'headroom load --rate SESSIONS_PER_MINUTE --pool POOL [--url http://127.0.0.1:8080] [--token TOKEN] [--duration SECONDS]\n' +
    '              [--session-seconds S] [--cores N] [--memory-mb N] [--gpus N] [--max-sessions N] [--interval-seconds S] [--seed N] [--allow-remote]\n\n' +
    'The token may also come from HEADROOM_API_TOKEN. Stops after --duration (default 300) or on Ctrl-C.',
  flags: {
    rate: { value: 'N', description: 'sessions started per minute (0–10000)' },
    pool: { value: 'POOL', description: 'pool the sessions ask for' },
    url: { value: 'URL', description: 'the running service (default http://127.0.0.1:8080)' },
    token: { value: 'TOKEN', description: 'API token (default: $HEADROOM_API_TOKEN)' },
    duration: { value: 'SECONDS', description: 'how long to generate load (default 300)' },
    'session-seconds': { value: 'S', description: 'mean session length (default 120)' },
    cores: { value: 'N', description: 'cores per session (default 1)' },
    'memory-mb': { value: 'N', description: 'memory per session in MiB (default 1024)' },
    gpus: { value: 'N', description: 'GPUs per session (default 0)' },
    'max-sessions': { value: 'N', description: 'sessions alive at once at most' },
    'interval-seconds': { value: 'S', description: 'seconds between fleet reports' },
    seed: { value: 'N', description: 'random seed (same seed, same arrivals)' },
    'allow-remote': { description: 'allow a --url other than 127.0.0.1/localhost' },
  },
  async run({ argv, stdout, stderr }) {
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
    const random = createSeededRandom(number(values.seed, '--seed', 1, { min: 0, max: 2 ** 31 }));
    let base: URL;
    try {
      base = new URL(values.url ?? 'http://127.0.0.1:8080');
    } catch {
      throw new UsageError(`--url ${values.url}: not a URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:')
      throw new UsageError(`--url ${values.url}: must be http(s)`);
    if (!LOOPBACK.test(base.hostname) && !values['allow-remote']) {
      throw new UsageError(`--url ${base.origin}: only 127.0.0.1 is allowed unless --allow-remote is given`);
    }
    const token = values.token ?? process.env.HEADROOM_API_TOKEN;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    };

    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const startedAtMs = Date.now();
    const endsAtMs = startedAtMs + durationSeconds * 1000;
    const sessions: SimulatedSession[] = [];
    let started = 0;
    let finished = 0;
    let arrivalCredit = 0;
    let failures = 0;

    const request = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(new URL(path, base), {
        method,
        headers,
        signal: AbortSignal.any([abort.signal, AbortSignal.timeout(10_000)]),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
      return text ? (JSON.parse(text) as unknown) : undefined;
    };

    try {
      while (!abort.signal.aborted && Date.now() < endsAtMs) {
        const nowMs = Date.now();
        arrivalCredit += (ratePerMinute * intervalSeconds) / 60;
        while (arrivalCredit >= 1 && started < maxSessions) {
          arrivalCredit -= 1;
          started += 1;
          // Durations spread ±50 % around the mean so sessions do not end in lockstep.
          const lengthMs = sessionSeconds * 1000 * (0.5 + random());
          sessions.push({ id: `load-${started}`, ...shape, arrivedAtMs: nowMs, endsAtMs: nowMs + lengthMs });
        }
        for (let index = sessions.length - 1; index >= 0; index--) {
          if (sessions[index]!.endsAtMs <= nowMs && sessions[index]!.instanceId !== undefined) {
            sessions.splice(index, 1);
            finished += 1;
          }
        }
        let ledger: LedgerInstance[] = [];
        try {
          const fleet = (await request('GET', '/api/v1/fleet')) as { ledger?: LedgerInstance[] };
          ledger = fleet.ledger ?? [];
        } catch (error) {
          if (abort.signal.aborted) break;
          failures += 1;
          stderr.write(`headroom load: ${(error as Error).message}\n`);
        }
        const running = ledger.filter((instance) => instance.pool === pool && instance.state === 'running');
        const runningIds = new Set(running.map((instance) => instance.id));
        for (const session of sessions)
          if (session.instanceId && !runningIds.has(session.instanceId)) delete session.instanceId;
        const used = new Map<string, { cores: number; memoryMb: number; gpus: number }>();
        for (const instance of running) used.set(instance.id, { cores: 0, memoryMb: 0, gpus: 0 });
        for (const session of sessions) {
          const load = session.instanceId ? used.get(session.instanceId) : undefined;
          if (load) {
            load.cores += session.cores;
            load.memoryMb += session.memoryMb;
            load.gpus += session.gpus;
          }
        }
        for (const session of sessions) {
          if (session.instanceId) continue;
          const target = running.find((instance) => {
            const load = used.get(instance.id)!;
            return (
              load.cores + session.cores <= instance.shape.cores &&
              load.memoryMb + session.memoryMb <= instance.shape.memoryMb &&
              load.gpus + session.gpus <= instance.shape.gpus
            );
          });
          if (!target) continue;
          session.instanceId = target.id;
          const load = used.get(target.id)!;
          load.cores += session.cores;
          load.memoryMb += session.memoryMb;
          load.gpus += session.gpus;
        }
        const instances: Instance[] = running.map((instance) => ({
          id: instance.id,
          pool: instance.pool,
          autoscale: instance.autoscale,
          provider: instance.provider,
          state: 'running',
          checkedIn: instance.checkedInAt !== undefined,
          createdAt: instance.createdAt,
          capacity: instance.shape,
          sessions: sessions
            .filter((session) => session.instanceId === instance.id)
            .map(
              (session): Session => ({
                id: session.id,
                cores: session.cores,
                memoryMb: session.memoryMb,
                gpus: session.gpus,
                staged: false,
              }),
            ),
          ...(instance.address ? { address: instance.address } : {}),
        }));
        const queued: QueuedRequest[] = sessions
          .filter((session) => session.instanceId === undefined)
          .map((session) => ({
            pool,
            cores: session.cores,
            memoryMb: session.memoryMb,
            gpus: session.gpus,
            since: new Date(session.arrivedAtMs).toISOString(),
          }));
        try {
          await request('PUT', '/api/v1/fleet', { at: new Date(nowMs).toISOString(), instances, queued });
        } catch (error) {
          if (abort.signal.aborted) break;
          failures += 1;
          stderr.write(`headroom load: ${(error as Error).message}\n`);
        }
        const placed = sessions.length - queued.length;
        stdout.write(
          `${new Date(nowMs).toISOString()} sessions ${placed} placed, ${queued.length} queued; instances ${running.length} running, ${
            ledger.filter((instance) => instance.pool === pool).length - running.length
          } other; started ${started}, finished ${finished}\n`,
        );
        if (failures >= 10) throw new UsageError(`giving up after ${failures} failed requests to ${base.origin}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, intervalSeconds * 1000);
          abort.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    // Every session ends with the run: report the fleet idle once so the service can scale down.
    try {
      await fetch(new URL('/api/v1/fleet', base), {
        method: 'PUT',
        headers,
        signal: AbortSignal.timeout(5000),
        body: JSON.stringify({ at: new Date().toISOString(), instances: [], queued: [] }),
      });
    } catch (error) {
      stderr.write(`headroom load: final report failed: ${(error as Error).message}\n`);
    }
    stdout.write(`done: started ${started} sessions, ${finished} finished, ${sessions.length} ended by the stop\n`);
    return 0;
  },
};
