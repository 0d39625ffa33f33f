import type { AutoscalerEvent } from '@headroom/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ServiceMetrics } from './service-metrics.js';

/**
 * Registers the metrics fed by autoscaler events (scale actions and their errors, provider calls,
 * orphans, leadership) and returns `observeEvent` and `setLeader`.
 */
export function createEventMetrics(registers: Registry[]): Pick<ServiceMetrics, 'observeEvent' | 'setLeader'> {
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
  const instruments = { actions, actionErrors, providerLatency, providerErrors, orphansFound, orphansCollected };
  const setLeader = (options: { leader: boolean; epoch?: number | undefined }) => {
    leader.set(options.leader ? 1 : 0);
    epoch.set(options.leader ? (options.epoch ?? 0) : 0);
  };

  return {
    observeEvent(event) {
      if (event.type === 'leadership-change') setLeader({ leader: event.leader, epoch: event.epoch });
      else observeActionEvent(instruments, event);
    },
    setLeader,
  };
}

const reasonClass = (event: { type: string; cause?: string }) =>
  event.type === 'instance-create-end' ? 'scale-up' : (event.cause ?? 'unknown');

/** Counts scale actions, their errors, provider calls and orphans; other events are ignored. */
function observeActionEvent(
  instruments: {
    actions: Counter;
    actionErrors: Counter;
    providerLatency: Histogram;
    providerErrors: Counter;
    orphansFound: Counter;
    orphansCollected: Counter;
  },
  event: AutoscalerEvent,
): void {
  const { actions, actionErrors, providerLatency, providerErrors, orphansFound, orphansCollected } = instruments;
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
    default:
      break;
  }
}
