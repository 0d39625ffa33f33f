import { createSeededRandom, type LedgerInstance } from '@headroom/core';
import { UsageError } from '../usage-error.js';
import type { LoadOptions } from './load-options.js';
import { fleetReport, placeSessions, removeEndedSessions, type SimulatedSession } from './load-sessions.js';

/** The state of one `headroom load` run, shared by its steps. */
export interface LoadRun {
  options: LoadOptions;
  random: () => number;
  abort: AbortController;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  sessions: SimulatedSession[];
  started: number;
  finished: number;
  /** Fractional arrivals carried over to the next interval. */
  arrivalCredit: number;
  failures: number;
}

export function createLoadRun(options: {
  load: LoadOptions;
  abort: AbortController;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}): LoadRun {
  return {
    options: options.load,
    random: createSeededRandom(options.load.seed),
    abort: options.abort,
    stdout: options.stdout,
    stderr: options.stderr,
    sessions: [],
    started: 0,
    finished: 0,
    arrivalCredit: 0,
    failures: 0,
  };
}

/**
 * Plays the control plane until `durationSeconds` have passed or the run is aborted: every
 * interval, start and end sessions, read the fleet, place sessions and report the fleet.
 * @throws UsageError after 10 failed requests.
 */
export async function playLoad(run: LoadRun): Promise<void> {
  const endsAtMs = Date.now() + run.options.durationSeconds * 1000;
  while (!run.abort.signal.aborted && Date.now() < endsAtMs) {
    if ((await playInterval(run)) === 'aborted') break;
    if (run.failures >= 10)
      throw new UsageError(`giving up after ${run.failures} failed requests to ${run.options.base.origin}`);
    await waitForInterval(run);
  }
}

async function playInterval(run: LoadRun): Promise<'aborted' | 'done'> {
  const { pool } = run.options;
  const nowMs = Date.now();
  admitArrivals(run, nowMs);
  run.finished += removeEndedSessions(run.sessions, nowMs);
  let ledger: LedgerInstance[] = [];
  try {
    const fleet = (await requestService(run, 'GET', '/api/v1/fleet')) as { ledger?: LedgerInstance[] };
    ledger = fleet.ledger ?? [];
  } catch (error) {
    if (run.abort.signal.aborted) return 'aborted';
    recordFailure(run, error);
  }
  const running = ledger.filter((instance) => instance.pool === pool && instance.state === 'running');
  placeSessions(run.sessions, running);
  const { instances, queued } = fleetReport(run.sessions, running, pool);
  try {
    await requestService(run, 'PUT', '/api/v1/fleet', { at: new Date(nowMs).toISOString(), instances, queued });
  } catch (error) {
    if (run.abort.signal.aborted) return 'aborted';
    recordFailure(run, error);
  }
  const placed = run.sessions.length - queued.length;
  run.stdout.write(
    `${new Date(nowMs).toISOString()} sessions ${placed} placed, ${queued.length} queued; instances ${running.length} running, ${
      ledger.filter((instance) => instance.pool === pool).length - running.length
    } other; started ${run.started}, finished ${run.finished}\n`,
  );
  return 'done';
}

/** Starts the sessions that arrived in one interval at `ratePerMinute`, up to `maxSessions` in all. */
function admitArrivals(run: LoadRun, nowMs: number): void {
  const { ratePerMinute, intervalSeconds, maxSessions, sessionSeconds, shape } = run.options;
  run.arrivalCredit += (ratePerMinute * intervalSeconds) / 60;
  while (run.arrivalCredit >= 1 && run.started < maxSessions) {
    run.arrivalCredit -= 1;
    run.started += 1;
    // Durations spread ±50 % around the mean so sessions do not end in lockstep.
    const lengthMs = sessionSeconds * 1000 * (0.5 + run.random());
    run.sessions.push({ id: `load-${run.started}`, ...shape, arrivedAtMs: nowMs, endsAtMs: nowMs + lengthMs });
  }
}

function recordFailure(run: LoadRun, error: unknown): void {
  run.failures += 1;
  run.stderr.write(`headroom load: ${(error as Error).message}\n`);
}

/** One JSON request to the service, cut off by the run's abort or after 10 s. */
async function requestService(run: LoadRun, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(new URL(path, run.options.base), {
    method,
    headers: run.options.headers,
    signal: AbortSignal.any([run.abort.signal, AbortSignal.timeout(10_000)]),
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

function waitForInterval(run: LoadRun): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, run.options.intervalSeconds * 1000);
    run.abort.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Every session ends with the run: reports the fleet idle once so the service can scale down. */
export async function reportIdleFleet(run: LoadRun): Promise<void> {
  try {
    await fetch(new URL('/api/v1/fleet', run.options.base), {
      method: 'PUT',
      headers: run.options.headers,
      signal: AbortSignal.timeout(5000),
      body: JSON.stringify({ at: new Date().toISOString(), instances: [], queued: [] }),
    });
  } catch (error) {
    run.stderr.write(`headroom load: final report failed: ${(error as Error).message}\n`);
  }
}
