import {
  ConfigError,
  type FleetSnapshot,
  formatConfigPath,
  INSTANCE_STATES,
  type Instance,
  type LedgerInstance,
  parseSnapshot,
  sessionSchema,
} from '@headroom/core';
import { z } from 'zod';
import type { JsonLogger } from './json-logger.js';

const amount = () => z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' });

/** Body of `POST /api/v1/instances/{id}/report`: what an agent says about itself. */
export const instanceReportSchema = z.strictObject({
  pool: z.string().min(1).optional(),
  autoscale: z.string().min(1).optional(),
  provider: z.string().min(1).optional(),
  state: z.enum(INSTANCE_STATES as [string, ...string[]]).default('running'),
  capacity: z
    .strictObject({ cores: amount().default(0), memoryMb: amount().default(0), gpus: amount().default(0) })
    .optional(),
  sessions: z.array(sessionSchema).default([]),
  address: z.string().optional(),
});
export type InstanceReport = z.output<typeof instanceReportSchema>;

export class UnknownInstanceError extends Error {
  constructor(instanceId: string) {
    super(`instance "${instanceId}" is not in the ledger; give pool, autoscale, provider and capacity in the report`);
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
 * a URL, overlaid with the reports of single instances. A reporting instance silent for longer than
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
  start(): void;
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
  let pollTimer: NodeJS.Timeout | undefined;
  let pollAbort: AbortController | undefined;
  let running = false;
  let lastPollError: string | undefined;

  const pollOnce = async () => {
    const poll = settings.poll;
    if (!poll) return;
    pollAbort = new AbortController();
    const timeout = setTimeout(() => pollAbort?.abort(), Math.max(1000, poll.intervalSeconds * 1000));
    try {
      const response = await fetchImplementation(poll.url, {
        signal: pollAbort.signal,
        headers: { accept: 'application/json', ...(poll.token ? { authorization: `Bearer ${poll.token}` } : {}) },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const snapshot = parseSnapshot(await response.json(), { source: poll.url });
      whole = { snapshot, receivedAtMs: Date.now(), source: 'poll' };
      if (lastPollError) options.logger.info('inventory poll recovered', { url: poll.url });
      lastPollError = undefined;
    } catch (error) {
      const message = (error as Error).message.split('\n').slice(0, 4).join('; ');
      if (message !== lastPollError)
        options.logger.warn('inventory poll failed; keeping the last snapshot', { url: poll.url, error: message });
      lastPollError = message;
    } finally {
      clearTimeout(timeout);
      pollAbort = undefined;
    }
  };

  const schedulePoll = (delayMs: number) => {
    if (!running || !settings.poll) return;
    pollTimer = setTimeout(async () => {
      await pollOnce();
      schedulePoll((settings.poll?.intervalSeconds ?? 15) * 1000);
    }, delayMs);
  };

  const stale = (entry: ReportedInstance, nowMs: number) =>
    nowMs - entry.lastReportAtMs > settings.reportTimeoutSeconds * 1000;

  return {
    async getSnapshot({ now }) {
      const byId = new Map<string, Instance>();
      for (const instance of whole?.snapshot.instances ?? []) byId.set(instance.id, instance);
      let ledgerIds: Set<string> | undefined;
      for (const [id, entry] of reports) {
        if (stale(entry, now)) {
          ledgerIds ??= new Set((await options.listLedger()).map((instance) => instance.id));
          if (!ledgerIds.has(id)) {
            reports.delete(id);
            continue;
          }
          // A silent instance's sessions are gone with it; an empty one can be destroyed and replaced.
          byId.set(id, { ...entry.instance, state: 'failed', sessions: [] });
          continue;
        }
        byId.set(id, entry.instance);
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
      if (!result.success) {
        throw new ConfigError({
          issues: result.error.issues.map((issue) => ({
            path: formatConfigPath(issue.path),
            message: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
          })),
          source: 'request body',
        });
      }
      const report = result.data;
      const previous = reports.get(instanceId)?.instance;
      const ledger = previous ? undefined : (await options.listLedger()).find((instance) => instance.id === instanceId);
      const base = previous ?? (ledger ? fromLedger(ledger) : undefined);
      const pool = report.pool ?? base?.pool;
      const autoscale = report.autoscale ?? base?.autoscale;
      const provider = report.provider ?? base?.provider;
      const capacity = report.capacity ?? base?.capacity;
      if (!pool || !autoscale || !provider || !capacity) throw new UnknownInstanceError(instanceId);
      const instance: Instance = {
        id: instanceId,
        pool,
        autoscale,
        provider,
        state: report.state as Instance['state'],
        checkedIn: base?.checkedIn ?? false,
        createdAt: base?.createdAt ?? new Date(nowMs).toISOString(),
        capacity,
        sessions: report.sessions,
        ...((report.address ?? base?.address) ? { address: report.address ?? base?.address } : {}),
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
      const pollChanged = JSON.stringify(next.poll) !== JSON.stringify(settings.poll);
      settings = { reportTimeoutSeconds: next.reportTimeoutSeconds, ...(next.poll ? { poll: next.poll } : {}) };
      if (pollChanged && running) {
        clearTimeout(pollTimer);
        schedulePoll(0);
      }
    },

    start() {
      running = true;
      schedulePoll(0);
    },

    stop() {
      running = false;
      clearTimeout(pollTimer);
      pollAbort?.abort();
    },
  };
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
