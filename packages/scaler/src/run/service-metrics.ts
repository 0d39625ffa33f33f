import {
  type AutoscalerEvent,
  autoscaleKey,
  type ConfigPlan,
  type HeadroomConfig,
  INSTANCE_STATES,
  isActive,
  type LedgerInstance,
  listAutoscaleEntries,
  type PlannerState,
} from '@headroom/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The service's Prometheus metrics (names documented in docs/run-as-a-service.md). */
export interface ServiceMetrics {
  readonly registry: Registry;
  observeEvent(event: AutoscalerEvent): void;
  /** Refreshes the gauges after a tick (or on a follower, from the shared store). */
  observeState(options: {
    config: HeadroomConfig;
    plans?: readonly ConfigPlan[];
    ledger: readonly LedgerInstance[];
    plannerState?: PlannerState;
    nowMs: number;
  }): void;
  setLeader(options: { leader: boolean; epoch?: number }): void;
  observeCheckin(result: 'accepted' | 'refused'): void;
  observeReport(): void;
  observeTick(options: { errors: number; durationMs: number }): void;
  /** Clock instant (ms) the last tick without errors ended; undefined leaves the gauge unset. */
  setLastSuccessfulTick(atMs: number | undefined): void;
}

const MIB_BYTES = 1024 * 1024;

/** One gauge per unit: a deficit mixes no units (memory in bytes, sessions apart). */
const DEFICIT_UNITS = [
  { resource: 'cores', name: 'headroom_deficit_cores', help: 'CPU cores', scale: 1 },
  { resource: 'memoryMb', name: 'headroom_deficit_memory_bytes', help: 'memory in bytes', scale: MIB_BYTES },
  { resource: 'gpus', name: 'headroom_deficit_gpus', help: 'GPUs', scale: 1 },
  { resource: 'sessions', name: 'headroom_deficit_sessions', help: 'sessions (server pools)', scale: 1 },
] as const;

export function createServiceMetrics(options: { version: string } = { version: 'unknown' }): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'headroom_build_info',
    help: 'Always 1; the labels say which headroom and Node.js run.',
    labelNames: ['version', 'node_version'],
    registers,
  }).set({ version: options.version, node_version: process.versions.node }, 1);
  const lastSuccess = new Gauge({
    name: 'headroom_last_successful_tick_timestamp_seconds',
    help: 'Unix time the last reconcile pass without errors ended (leader or follower).',
    registers,
  });
  const desired = new Gauge({
    name: 'headroom_desired_instances',
    help: 'Instances the last plan wants per autoscale config (current live ones + creates − destroys).',
    labelNames: ['pool', 'autoscale'],
    registers,
  });
  const current = new Gauge({
    name: 'headroom_instances',
    help: 'Instances in the ledger per autoscale config and state.',
    labelNames: ['pool', 'autoscale', 'state'],
    registers,
  });
  const deficits = DEFICIT_UNITS.map(
    (unit) =>
      [
        unit,
        new Gauge({
          name: unit.name,
          help: `need − (available + pending) in ${unit.help} from the last plan; negative is surplus.`,
          labelNames: ['pool', 'autoscale'],
          registers,
        }),
      ] as const,
  );
  const scheduleActive = new Gauge({
    name: 'headroom_schedule_active',
    help: '1 when the autoscale config is enabled and inside one of its schedules (or has none).',
    labelNames: ['pool', 'autoscale'],
    registers,
  });
  const backoff = new Gauge({
    name: 'headroom_backoff_remaining_seconds',
    help: 'Seconds until creates are allowed again after failures (0 when not blocked).',
    labelNames: ['pool', 'autoscale'],
    registers,
  });
  const actions = new Counter({
    name: 'headroom_scale_actions_total',
    help: 'Instances created or destroyed, by reason class.',
    labelNames: ['pool', 'autoscale', 'action', 'reason'],
    registers,
  });
  const actionErrors = new Counter({
    name: 'headroom_scale_action_errors_total',
    help: 'Creates or destroys that failed, by error class.',
    labelNames: ['pool', 'autoscale', 'action', 'class'],
    registers,
  });
  const providerLatency = new Histogram({
    name: 'headroom_provider_call_duration_seconds',
    help: 'Latency of provider API calls.',
    labelNames: ['provider', 'method'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const providerErrors = new Counter({
    name: 'headroom_provider_call_errors_total',
    help: 'Failed provider API calls by error class.',
    labelNames: ['provider', 'method', 'class'],
    registers,
  });
  const orphansFound = new Counter({
    name: 'headroom_orphans_found_total',
    help: 'Managed instances found that the store does not know.',
    labelNames: ['provider', 'mode'],
    registers,
  });
  const orphansCollected = new Counter({
    name: 'headroom_orphans_collected_total',
    help: 'Orphaned instances destroyed.',
    labelNames: ['provider'],
    registers,
  });
  const leader = new Gauge({
    name: 'headroom_leader',
    help: '1 while this replica leads (and acts), else 0.',
    registers,
  });
  const epoch = new Gauge({
    name: 'headroom_leader_epoch',
    help: 'Leadership epoch this replica holds (0 when not leader).',
    registers,
  });
  const ticks = new Counter({
    name: 'headroom_ticks_total',
    help: 'Reconcile passes this replica ran as leader.',
    registers,
  });
  const tickErrors = new Counter({
    name: 'headroom_tick_errors_total',
    help: 'Errors reported by reconcile passes.',
    registers,
  });
  const tickDuration = new Histogram({
    name: 'headroom_tick_duration_seconds',
    help: 'Duration of reconcile passes.',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
    registers,
  });
  const checkins = new Counter({
    name: 'headroom_checkins_total',
    help: 'Check-in requests by result.',
    labelNames: ['result'],
    registers,
  });
  const reports = new Counter({
    name: 'headroom_instance_reports_total',
    help: 'Instance reports received.',
    registers,
  });

  const reasonClass = (event: { type: string; cause?: string }) =>
    event.type === 'instance-create-end' ? 'scale-up' : (event.cause ?? 'unknown');

  return {
    registry,
    observeEvent(event) {
      switch (event.type) {
        case 'instance-create-end':
        case 'instance-destroy-end':
          actions.inc({
            pool: event.pool,
            autoscale: event.autoscale,
            action: event.type === 'instance-create-end' ? 'create' : 'destroy',
            reason: reasonClass(event),
          });
          break;
        case 'instance-create-error':
        case 'instance-destroy-error':
          actionErrors.inc({
            pool: event.pool,
            autoscale: event.autoscale,
            action: event.type === 'instance-create-error' ? 'create' : 'destroy',
            class: event.errorClass,
          });
          break;
        case 'provider-call':
          providerLatency.observe({ provider: event.providerId, method: event.method }, event.durationMs / 1000);
          if (event.errorClass)
            providerErrors.inc({ provider: event.providerId, method: event.method, class: event.errorClass });
          break;
        case 'orphan-found':
          orphansFound.inc({ provider: event.provider, mode: event.mode });
          break;
        case 'orphan-destroyed':
          orphansCollected.inc({ provider: event.provider });
          break;
        case 'leadership-change':
          leader.set(event.leader ? 1 : 0);
          epoch.set(event.leader ? (event.epoch ?? 0) : 0);
          break;
        default:
          break;
      }
    },
    observeState({ config, plans, ledger, plannerState, nowMs }) {
      current.reset();
      scheduleActive.reset();
      backoff.reset();
      if (plans) {
        desired.reset();
        for (const [, gauge] of deficits) gauge.reset();
      }
      for (const { pool, autoscale } of listAutoscaleEntries(config)) {
        const labels = { pool: pool.id, autoscale: autoscale.id };
        scheduleActive.set(labels, autoscale.enabled && isActive(autoscale.schedules, nowMs) ? 1 : 0);
        const blockedUntil = plannerState?.autoscale[autoscaleKey(pool.id, autoscale.id)]?.createBlockedUntil;
        const remainingMs = blockedUntil ? Date.parse(blockedUntil) - nowMs : 0;
        backoff.set(labels, Math.max(0, Math.round(remainingMs / 1000)));
        const mine = ledger.filter((instance) => instance.pool === pool.id && instance.autoscale === autoscale.id);
        for (const state of INSTANCE_STATES) {
          current.set({ ...labels, state }, mine.filter((instance) => instance.state === state).length);
        }
        const plan = plans?.find((candidate) => candidate.pool === pool.id && candidate.autoscale === autoscale.id);
        if (plan) {
          const live = mine.filter((instance) => instance.state !== 'destroying' && instance.state !== 'failed').length;
          desired.set(labels, Math.max(0, live + plan.create - plan.destroy.length));
          for (const [unit, gauge] of deficits) {
            const value = (plan.deficit as unknown as Record<string, number | undefined>)[unit.resource];
            if (typeof value === 'number') gauge.set(labels, value * unit.scale);
          }
        }
      }
    },
    setLeader(options) {
      leader.set(options.leader ? 1 : 0);
      epoch.set(options.leader ? (options.epoch ?? 0) : 0);
    },
    observeCheckin(result) {
      checkins.inc({ result });
    },
    observeReport() {
      reports.inc();
    },
    observeTick(options) {
      ticks.inc();
      tickErrors.inc(options.errors);
      tickDuration.observe(options.durationMs / 1000);
    },
    setLastSuccessfulTick(atMs) {
      if (atMs !== undefined) lastSuccess.set(atMs / 1000);
    },
  };
}
