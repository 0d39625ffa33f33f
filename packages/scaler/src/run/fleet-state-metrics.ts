import { autoscaleKey, INSTANCE_STATES, isActive, listAutoscaleEntries } from '@headroom/core';
import { Gauge, type Registry } from 'prom-client';
import type { ServiceMetrics } from './service-metrics.js';

const MIB_BYTES = 1024 * 1024;

/** One gauge per unit: a deficit mixes no units (memory in bytes, sessions apart). */
const DEFICIT_UNITS = [
  { resource: 'cores', name: 'headroom_deficit_cores', help: 'CPU cores', scale: 1 },
  { resource: 'memoryMb', name: 'headroom_deficit_memory_bytes', help: 'memory in bytes', scale: MIB_BYTES },
  { resource: 'gpus', name: 'headroom_deficit_gpus', help: 'GPUs', scale: 1 },
  { resource: 'sessions', name: 'headroom_deficit_sessions', help: 'sessions (server pools)', scale: 1 },
] as const;

/** `headroom_predicted_standby` per resource: memory in bytes, as the deficit gauges. */
const PREDICTED_RESOURCES = [
  { field: 'cores', resource: 'cores', scale: 1 },
  { field: 'memoryMb', resource: 'memory_bytes', scale: MIB_BYTES },
  { field: 'gpus', resource: 'gpus', scale: 1 },
] as const;

/**
 * Registers the per-autoscale-config gauges (desired, instances by state, deficits, predicted
 * standby, schedule, backoff) and returns `observeState`, which refreshes them from the config, ledger and last plans.
 */
export function createFleetStateMetrics(registers: Registry[]): Pick<ServiceMetrics, 'observeState'> {
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
  const predictedStandby = new Gauge({
    name: 'headroom_predicted_standby',
    help: 'Predictive standby: demand growth learnt for this hour from the last plan (resource cores, memory_bytes, gpus); absent while nothing confident was learnt.',
    labelNames: ['pool', 'autoscale', 'resource'],
    registers,
  });
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

  return {
    observeState({ config, plans, ledger, plannerState, nowMs }) {
      current.reset();
      scheduleActive.reset();
      backoff.reset();
      if (plans) {
        desired.reset();
        predictedStandby.reset();
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
          for (const { field, resource, scale } of PREDICTED_RESOURCES)
            if (plan.predictedStandby)
              predictedStandby.set({ ...labels, resource }, plan.predictedStandby[field] * scale);
        }
      }
    },
  };
}
