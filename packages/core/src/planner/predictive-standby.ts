import type { DockerAgentAutoscaleConfig } from '../config/config-schema.js';
import type { FleetSnapshot } from '../model/instance.js';
import { formatResources, RESOURCE_KEYS, type Resources } from '../model/resources.js';
import { type DemandGrowthProfile, predictedStandbyAt } from './demand-growth-profile.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The standby a docker-agent config plans with this tick, and why. */
export interface EffectiveStandby {
  /**
   * The config with `standby` raised to the prediction where it is larger, or (with
   * `predictiveStandby.slot`) with the prediction appended to `standby.slots`.
   */
  autoscale: DockerAgentAutoscaleConfig;
  /** The learnt growth of this hour; undefined without a profile or a confident slot. */
  predicted: Resources | undefined;
  /** One reason line; undefined for a config without `predictiveStandby`. */
  reason: string | undefined;
}

/**
 * Predictive standby (DESIGN §10 standby forms): the larger of the static standby and the learnt
 * demand growth of the hour containing `now`, resource by resource. Without a profile (nothing
 * learnt yet) or a confident slot the static standby stands, and the reason says so.
 */
export function effectiveStandby(options: {
  autoscale: DockerAgentAutoscaleConfig;
  profile: DemandGrowthProfile | undefined;
  now: number;
}): EffectiveStandby {
  const { autoscale, profile, now } = options;
  if (!autoscale.predictiveStandby) return { autoscale, predicted: undefined, reason: undefined };
  const staticStandby = autoscale.standby;
  const staticText = formatResources({
    cores: staticStandby.cores,
    memoryMb: staticStandby.memoryMb,
    gpus: staticStandby.gpus,
  });
  if (!profile) {
    return {
      autoscale,
      predicted: undefined,
      reason: `predictive standby: nothing learnt yet (learnFrom ${autoscale.predictiveStandby.learnFrom}); static standby ${staticText}`,
    };
  }
  const predicted = predictedStandbyAt(profile, now);
  const date = new Date(now);
  const hour = `${WEEKDAYS[date.getUTCDay()]} ${String(date.getUTCHours()).padStart(2, '0')}:00 UTC`;
  if (!predicted) {
    return {
      autoscale,
      predicted: undefined,
      reason: `predictive standby: too few observations for ${hour}; static standby ${staticText}`,
    };
  }
  const held = holdPrediction(autoscale, predicted);
  return {
    autoscale: { ...autoscale, standby: held.standby },
    predicted,
    reason: `predictive standby: learnt growth within ${Math.round(profile.horizonMs / 1000)} s for ${hour} is ${formatResources(predicted)} (quantile ${autoscale.predictiveStandby.quantile}); static ${staticText}; ${held.text}`,
  };
}

/** Slots of a predictive `slot` shape held at most (the bound of `standby.slots[].count`). */
const MAX_PREDICTED_SLOTS = 1000;

/**
 * The standby that holds `predicted`: as an aggregate, the larger of it and the static standby
 * per resource; with `predictiveStandby.slot`, the static standby plus room for ⌈predicted ÷
 * shape⌉ sessions of that shape (by the resource that needs most), appended to the static slots.
 */
function holdPrediction(
  autoscale: DockerAgentAutoscaleConfig,
  predicted: Resources,
): { standby: DockerAgentAutoscaleConfig['standby']; text: string } {
  const staticStandby = autoscale.standby;
  const shape = autoscale.predictiveStandby?.slot;
  if (!shape) {
    const standby = {
      ...staticStandby,
      cores: Math.max(staticStandby.cores, predicted.cores),
      memoryMb: Math.max(staticStandby.memoryMb, predicted.memoryMb),
      gpus: Math.max(staticStandby.gpus, predicted.gpus),
    };
    return {
      standby,
      text: `standby ${formatResources({ cores: standby.cores, memoryMb: standby.memoryMb, gpus: standby.gpus })}`,
    };
  }
  let count = 0;
  for (const key of RESOURCE_KEYS) {
    if (shape[key] > 0) count = Math.max(count, Math.ceil(predicted[key] / shape[key] - 1e-9));
  }
  count = Math.min(MAX_PREDICTED_SLOTS, count);
  const slots = count > 0 ? [...staticStandby.slots, { ...shape, count }] : staticStandby.slots;
  return {
    standby: { ...staticStandby, slots },
    text: `held as ${count} slot(s) of ${formatResources(shape)}`,
  };
}

/**
 * Demand per pool in a snapshot: the resources of its user sessions (staged sessions are the
 * autoscaler's own, not demand) plus its queued requests. What a host records each tick to learn
 * predictive standby from its own history.
 */
export function measurePoolDemand(snapshot: FleetSnapshot): Map<string, Resources> {
  const demand = new Map<string, Resources>();
  const add = (pool: string, amount: Resources) => {
    let total = demand.get(pool);
    if (!total) {
      total = { cores: 0, memoryMb: 0, gpus: 0 };
      demand.set(pool, total);
    }
    total.cores += amount.cores;
    total.memoryMb += amount.memoryMb;
    total.gpus += amount.gpus;
  };
  for (const instance of snapshot.instances) {
    if (!demand.has(instance.pool)) demand.set(instance.pool, { cores: 0, memoryMb: 0, gpus: 0 });
    for (const session of instance.sessions) if (!session.staged) add(instance.pool, session);
  }
  for (const request of snapshot.queued) add(request.pool, request);
  return demand;
}
