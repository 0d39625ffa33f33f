import type { AutoscalerEvent, ConfigPlan, HeadroomConfig, LedgerInstance, PlannerState } from '@headroom/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { createEventMetrics } from './event-metrics.js';
import { createFleetStateMetrics } from './fleet-state-metrics.js';

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

/** Creates the service's registry (default Node.js metrics included) and its metrics. */
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
  const { observeState } = createFleetStateMetrics(registers);
  const { observeEvent, setLeader } = createEventMetrics(registers);
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

  return {
    registry,
    observeEvent,
    observeState,
    setLeader,
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
