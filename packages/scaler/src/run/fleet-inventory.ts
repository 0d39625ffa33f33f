import {
  ConfigError,
  type FleetSnapshot,
  formatConfigPath,
  type Instance,
  type LedgerInstance,
  parseSnapshot,
  type Session,
  sessionSchema,
} from '@headroom/core';
import { z } from 'zod';
import type { JsonLogger } from './json-logger.js';

/** Sessions one instance may report. */
const MAX_REPORTED_SESSIONS = 10_000;
/** States an instance can know itself to be in. */
const REPORTABLE_STATES = ['starting', 'running', 'draining', 'failed'] as const;

/**
 * Body of `POST /api/v1/instances/{id}/report`: only what an agent knows about itself. Pool,
 * config, provider, shape and address come from the ledger, never from the report.
 */
export const instanceReportSchema = z.strictObject({
  state: z.enum(REPORTABLE_STATES).default('running'),
  sessions: z.array(sessionSchema).max(MAX_REPORTED_SESSIONS).default([]),
  /** A session on this server has ended (kept once reported): a `reusable: false` server is then used up. */
  sessionEnded: z.boolean().optional(),
});
export type InstanceReport = z.output<typeof instanceReportSchema>;

export class UnknownInstanceError extends Error {
  constructor(instanceId: string) {
    super(`instance "${instanceId}" is not in the ledger (never created here, or destroyed); it cannot report`);
  }
}

interface ReportedInstance {
  instance: Instance;
  lastReportAtMs: number;
}

export interface FleetInventoryOptions {
  /** Instances of the ledger, to complete reports and to forget stale reports of removed instances. */
  listLedger: () => Promise<LedgerInstance[]>;
  logger: JsonLogger;
  reportTimeoutSeconds: number;
  poll?: { url: string; intervalSeconds: number; token?: string };
  fetch?: typeof fetch;
}

/**
 * The fleet as the service learns it: a whole snapshot pushed (`PUT /api/v1/fleet`) or polled from
 * a URL when the autoscaler asks (at most every `intervalSeconds`), overlaid with the reports of single instances. A reporting instance silent for longer than
 * `reportTimeoutSeconds` is given as `failed`, so the planner replaces it.
 */
export interface FleetInventory {
  getSnapshot(options: { now: number; abortSignal?: AbortSignal }): Promise<FleetSnapshot>;
  /** Replaces the pushed snapshot. @throws ConfigError (invalid snapshot) */
  putSnapshot(options: { input: unknown; nowMs: number }): FleetSnapshot;
  /** Records one instance's report. @throws ConfigError (invalid body), UnknownInstanceError */
  report(options: { instanceId: string; input: unknown; nowMs: number }): Promise<Instance>;
  /** Source of the last whole snapshot and when it came. */
  status(): {
    source: 'none' | 'push' | 'poll';
    receivedAtMs?: number;
    reportingInstances: number;
    lastPollError?: string;
  };
  update(options: Pick<FleetInventoryOptions, 'reportTimeoutSeconds' | 'poll'>): void;
  /** Aborts a poll in flight. */
  stop(): void;
}

export function createFleetInventory(options: FleetInventoryOptions): FleetInventory {
  const fetchImplementation = options.fetch ?? fetch;
  let settings: Pick<FleetInventoryOptions, 'reportTimeoutSeconds' | 'poll'> = {
    reportTimeoutSeconds: options.reportTimeoutSeconds,
    ...(options.poll ? { poll: options.poll } : {}),
  };
  let whole: { snapshot: FleetSnapshot; receivedAtMs: number; source: 'push' | 'poll' } | undefined;
  const reports = new Map<string, ReportedInstance>();
  let pollAbort: AbortController | undefined;
  let lastPollAtMs: number | undefined;
  let lastPollError: string | undefined;

  /** Fetches the snapshot; a failure keeps the last one. Nothing of the URL but origin and path is shown. */
  const pollOnce = async (nowMs: number, signal?: AbortSignal) => {
    const poll = settings.poll;
    if (!poll) return;
    const request = pollRequestOf(poll);
    lastPollAtMs = nowMs;
    pollAbort = new AbortController();
    const timeout = setTimeout(() => pollAbort?.abort(), Math.max(1000, poll.intervalSeconds * 1000));
    const abortOnSignal = () => pollAbort?.abort();
    signal?.addEventListener('abort', abortOnSignal);
    try {
      const response = await fetchImplementation(request.url, { signal: pollAbort.signal, headers: request.headers });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const snapshot = parseSnapshot(await response.json(), { source: request.label });
      whole = { snapshot, receivedAtMs: nowMs, source: 'poll' };
      if (lastPollError) options.logger.info('inventory poll recovered', { url: request.label });
      lastPollError = undefined;
    } catch (error) {
      const message = options.logger.redact(
        `${request.label}: ${(error as Error).message.split('\n').slice(0, 4).join('; ')}`,
      );
      if (message !== lastPollError)
        options.logger.warn('inventory poll failed; keeping the last snapshot', { url: request.label, error: message });
      lastPollError = message;
    } finally {
      clearTimeout(timeout);
      signal?.removeEventListener('abort', abortOnSignal);
      pollAbort = undefined;
    }
  };

  const stale = (entry: ReportedInstance, nowMs: number) =>
    nowMs - entry.lastReportAtMs > settings.reportTimeoutSeconds * 1000;

  return {
    async getSnapshot({ now, abortSignal }) {
      // Polled on demand: the autoscaler's loop is the only loop.
      const poll = settings.poll;
      if (poll && (lastPollAtMs === undefined || now - lastPollAtMs >= poll.intervalSeconds * 1000))
        await pollOnce(now, abortSignal);
      const byId = new Map<string, Instance>();
      for (const instance of whole?.snapshot.instances ?? []) byId.set(instance.id, instance);
      if (reports.size > 0) {
        // Reports count only for instances the ledger still holds (a destroyed one stops at once).
        const ledger = new Map((await options.listLedger()).map((instance) => [instance.id, instance] as const));
        for (const [id, entry] of reports) {
          const record = ledger.get(id);
          if (!record || record.state === 'destroying') {
            reports.delete(id);
            continue;
          }
          // A silent instance's sessions are gone with it; an empty one can be destroyed and replaced.
          const instance = { ...entry.instance, checkedIn: record.checkedInAt !== undefined };
          byId.set(id, stale(entry, now) ? { ...instance, state: 'failed', sessions: [] } : instance);
        }
      }
      return { at: new Date(now).toISOString(), instances: [...byId.values()], queued: whole?.snapshot.queued ?? [] };
    },

    putSnapshot({ input, nowMs }) {
      const snapshot = parseSnapshot(input, { source: 'request body' });
      whole = { snapshot, receivedAtMs: nowMs, source: 'push' };
      return snapshot;
    },

    async report({ instanceId, input, nowMs }) {
      const result = instanceReportSchema.safeParse(input);
      if (!result.success) throw reportError(result.error.issues);
      const ledger = (await options.listLedger()).find((instance) => instance.id === instanceId);
      if (!ledger || ledger.state === 'destroying') throw new UnknownInstanceError(instanceId);
      const overflow = sessionOverflow(result.data.sessions, ledger);
      if (overflow) throw reportError([{ path: ['sessions'], message: overflow }]);
      const instance: Instance = {
        ...fromLedger(ledger),
        state: ledger.state === 'failed' ? 'failed' : result.data.state,
        sessions: result.data.sessions,
        ...(result.data.sessionEnded || reports.get(instanceId)?.instance.sessionEnded ? { sessionEnded: true } : {}),
      };
      reports.set(instanceId, { instance, lastReportAtMs: nowMs });
      return instance;
    },

    status() {
      return {
        source: whole?.source ?? 'none',
        ...(whole ? { receivedAtMs: whole.receivedAtMs } : {}),
        reportingInstances: reports.size,
        ...(lastPollError ? { lastPollError } : {}),
      };
    },

    update(next) {
      if (JSON.stringify(next.poll) !== JSON.stringify(settings.poll)) lastPollAtMs = undefined;
      settings = { reportTimeoutSeconds: next.reportTimeoutSeconds, ...(next.poll ? { poll: next.poll } : {}) };
    },

    stop() {
      pollAbort?.abort();
    },
  };
}

/**
 * The poll request: credentials of the URL move to a Basic `authorization` header (fetch refuses
 * them in the URL, quoting it in the error), the token to a Bearer one; `label` is origin and path only.
 */
function pollRequestOf(poll: NonNullable<FleetInventoryOptions['poll']>) {
  const url = new URL(poll.url);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (poll.token) headers.authorization = `Bearer ${poll.token}`;
  else if (user || password) headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return { url: url.toString(), headers, label: `${url.origin}${url.pathname}` };
}

function reportError(issues: readonly { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[]) {
  return new ConfigError({
    issues: issues.map((issue) => ({
      path: formatConfigPath(issue.path),
      message:
        issue.code === 'unrecognized_keys'
          ? `unknown field(s) ${issue.keys?.join(', ')}: a report states sessions and state only; pool, config, provider and shape come from the ledger`
          : issue.message,
    })),
    source: 'request body',
  });
}

/**
 * Why the reported sessions cannot fit the instance's recorded shape, or undefined when they can.
 * Server pools record no shape (their sessions are counted, not sized): only the count is bounded.
 */
function sessionOverflow(sessions: readonly Session[], ledger: LedgerInstance): string | undefined {
  const { cores, memoryMb, gpus } = ledger.shape;
  if (cores === 0 && memoryMb === 0 && gpus === 0) return undefined;
  for (const resource of ['cores', 'memoryMb', 'gpus'] as const) {
    const used = sessions.reduce((sum, session) => sum + session[resource], 0);
    if (used > ledger.shape[resource])
      return `sessions use ${used} ${resource}, more than the instance has (${ledger.shape[resource]})`;
  }
  return undefined;
}

function fromLedger(ledger: LedgerInstance): Instance {
  return {
    id: ledger.id,
    pool: ledger.pool,
    autoscale: ledger.autoscale,
    provider: ledger.provider,
    state: ledger.state,
    checkedIn: ledger.checkedInAt !== undefined,
    createdAt: ledger.createdAt,
    capacity: ledger.shape,
    sessions: [],
    ...(ledger.address ? { address: ledger.address } : {}),
  };
}
