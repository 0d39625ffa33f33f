import type { DockerAgentAutoscaleConfig } from '../../config/config-schema.js';
import { FencedWriteError } from '../../errors/fenced-write-error.js';
import { learnDemandGrowthProfileFromSamples } from '../../planner/demand-growth-profile.js';
import { autoscaleKey } from '../../planner/planner-state.js';
import { measurePoolDemand } from '../../planner/predictive-standby.js';
import type { DemandSampleRecord } from '../../store/state-store.js';
import { mergeSnapshot } from '../merge-snapshot.js';
import { failTick, type TickContext } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

const SAMPLE_INTERVAL_MS = 60_000;
const LEARN_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Growth horizon of a `learnFrom: history` config without `horizonSeconds`: 300 s, a typical
 * VM boot plus agent registration. Not the check-in timeout: that is when a boot is given up
 * (900 s by default), and learning growth over it would hold a standby three times too large.
 */
export const DEFAULT_HISTORY_HORIZON_SECONDS = 300;

/** An enabled docker-agent config that learns predictive standby from the store's history. */
interface HistoryConfig {
  key: string;
  pool: string;
  autoscale: DockerAgentAutoscaleConfig;
  settings: NonNullable<DockerAgentAutoscaleConfig['predictiveStandby']>;
}

/**
 * Learn demand (`learnFrom: history`), before planning: records each such pool's demand (the
 * merged snapshot the planner sees, `measurePoolDemand`) at most once a minute, fenced; learns
 * each such config's profile from its pool's last `historyDays` of samples at most once an hour
 * (and at once for a new config), emitting `demand-profile-learnt`; deletes samples older than
 * the largest `historyDays` at most once a day. A store failure is a tick error of scope `store`
 * and planning goes on with the profiles learnt before. Store writes here touch neither the
 * ledger nor intents, so they do not make the next tick verify fully.
 */
export const learnDemand: TickStep = {
  name: 'learn-demand',
  async run(context) {
    const configs = historyConfigs(context);
    forgetRemovedConfigs(context, configs);
    if (configs.length === 0) return undefined;
    await reportStoreFailure(context, () => recordSamples(context, configs));
    for (const config of configs) await reportStoreFailure(context, () => learnProfile(context, config));
    await reportStoreFailure(context, () => deleteOldSamples(context, configs));
    return undefined;
  },
};

function historyConfigs(context: TickContext): HistoryConfig[] {
  const configs: HistoryConfig[] = [];
  for (const entry of context.entries) {
    if (entry.kind !== 'docker-agent' || !entry.autoscale.enabled) continue;
    const settings = entry.autoscale.predictiveStandby;
    if (settings?.learnFrom !== 'history') continue;
    const key = autoscaleKey(entry.pool.id, entry.autoscale.id);
    configs.push({ key, pool: entry.pool.id, autoscale: entry.autoscale, settings });
  }
  return configs;
}

/** Drops what was learnt for configs that no longer learn from history. */
function forgetRemovedConfigs(context: TickContext, configs: readonly HistoryConfig[]): void {
  const { demandLearning } = context.runtime;
  const keys = new Set(configs.map((config) => config.key));
  for (const key of Object.keys(demandLearning.profiles)) if (!keys.has(key)) delete demandLearning.profiles[key];
  for (const key of demandLearning.learnt.keys()) if (!keys.has(key)) demandLearning.learnt.delete(key);
}

async function reportStoreFailure(context: TickContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (FencedWriteError.isInstance(error)) throw error;
    failTick(context, 'store', error);
  }
}

/** One sample per pool of `configs` at the tick's instant, once 60 s passed since the last. */
async function recordSamples(context: TickContext, configs: readonly HistoryConfig[]): Promise<void> {
  const { runtime, nowMs } = context;
  const { demandLearning } = runtime;
  if (demandLearning.sampledAtMs !== undefined && nowMs - demandLearning.sampledAtMs < SAMPLE_INTERVAL_MS) return;
  const demand = measurePoolDemand(
    mergeSnapshot({
      inventory: context.inventory,
      ledger: context.ledger,
      unknown: context.unknown,
      checkins: runtime.pendingCheckins,
      nowMs,
    }),
  );
  const samples: DemandSampleRecord[] = [...new Set(configs.map((config) => config.pool))].map((pool) => ({
    pool,
    atMs: nowMs,
    ...(demand.get(pool) ?? { cores: 0, memoryMb: 0, gpus: 0 }),
  }));
  await runtime.store.putDemandSamples({ epoch: context.epoch, samples });
  demandLearning.sampledAtMs = nowMs;
}

/** Learns one config's profile when it has none, an hour passed, or its config changed. */
async function learnProfile(context: TickContext, config: HistoryConfig): Promise<void> {
  const { runtime, nowMs } = context;
  const { demandLearning } = runtime;
  const last = demandLearning.learnt.get(config.key);
  if (last && last.autoscale === config.autoscale && nowMs - last.atMs < LEARN_INTERVAL_MS) return;
  const samples = await runtime.store.listDemandSamples({
    pool: config.pool,
    fromMs: nowMs - config.settings.historyDays * DAY_MS,
  });
  const horizonSeconds = config.settings.horizonSeconds ?? DEFAULT_HISTORY_HORIZON_SECONDS;
  const profile = learnDemandGrowthProfileFromSamples({
    samples,
    horizonMs: horizonSeconds * 1000,
    quantile: config.settings.quantile,
    confidenceFloor: config.settings.confidenceFloor,
  });
  demandLearning.profiles[config.key] = profile;
  demandLearning.learnt.set(config.key, { atMs: nowMs, autoscale: config.autoscale });
  runtime.emit({
    type: 'demand-profile-learnt',
    at: runtime.clock.now(),
    pool: config.pool,
    autoscale: config.autoscale.id,
    samples: samples.length,
    horizonSeconds,
    confidentHourOfWeekSlots: profile.hourOfWeek.filter((slot) => slot !== undefined).length,
    confidentHourOfDaySlots: profile.hourOfDay.filter((slot) => slot !== undefined).length,
  });
}

/** Deletes samples older than the largest `historyDays`, at most once a day of clock time. */
async function deleteOldSamples(context: TickContext, configs: readonly HistoryConfig[]): Promise<void> {
  const { runtime, nowMs } = context;
  const { demandLearning } = runtime;
  if (demandLearning.deletedAtMs !== undefined && nowMs - demandLearning.deletedAtMs < DAY_MS) return;
  demandLearning.deletedAtMs = nowMs;
  const historyDays = Math.max(...configs.map((config) => config.settings.historyDays));
  await runtime.store.deleteDemandSamples({ epoch: context.epoch, beforeMs: nowMs - historyDays * DAY_MS });
}
