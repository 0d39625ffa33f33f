import {
  autoscaleKey,
  createAutoscaler,
  createMemoryStateStore,
  type HeadroomConfig,
  type Resources,
  type TickResult,
} from '@headroom/core';
import { HEADROOM_TAGS, STARTUP_SCRIPT_PLACEHOLDERS } from '@headroom/core/provider';
import { createFakeClock, createFakeProvider, type FakeClock, type FakeProvider } from '@headroom/core/test';
import { type CloudModel, providerCloudModel } from '../cloud-model.js';
import { createRandom } from '../random.js';
import { buildSnapshot } from './fleet-snapshot.js';
import { destroyInstance, destroyReasonOf, drawBoot, launchInstance, setDraining } from './instance-lifecycle.js';
import type { DemandProfileSource } from './predictive-standby.js';
import type { SimulationContext } from './simulation-context.js';
import type { SimulationEngine, TickOutcome } from './simulation-engine.js';
import type { AutoscaleRuntime, BootDraw } from './simulation-types.js';
import { withSimulatorReads } from './simulator-state-store.js';

/** Placeholder values of startup scripts: rendered by the reconciler, never run. */
const simulatedScriptValues = Object.fromEntries(STARTUP_SCRIPT_PLACEHOLDERS.map((name) => [name, 'simulated']));

/** An instance created through a fake provider. */
interface ReconciledInstance {
  provider: FakeProvider;
  providerInstanceId: string;
}

/** What the cloud model drew for an instance the fake cloud created, until the tick reports it. */
type CreatedDraw = BootDraw & { runtime: AutoscaleRuntime; shape: Resources; reconciled: ReconciledInstance };

/**
 * One fake provider per provider config, on `clock`. Its boot delay is drawn from the cloud model
 * when it creates an instance; the draw is kept in `createdDraws` by instance name.
 */
function createFakeProviders(options: {
  context: SimulationContext;
  config: HeadroomConfig;
  cloud: CloudModel;
  clock: FakeClock;
  createdDraws: Map<string, CreatedDraw>;
}): Record<string, FakeProvider> {
  const { context, cloud, clock, createdDraws } = options;
  const providers: Record<string, FakeProvider> = {};
  for (const providerId of Object.keys(options.config.providers)) {
    const model = providerCloudModel({ cloud, providerId });
    const provider: FakeProvider = createFakeProvider({
      providerId,
      clock,
      latencyMs: 0,
      bootDelayMs: (record) => {
        const runtime = context.fleet.runtimeByKey.get(
          autoscaleKey(record.tags[HEADROOM_TAGS.pool] ?? '', record.tags[HEADROOM_TAGS.autoscale] ?? ''),
        );
        const draw = drawBoot(context.random, runtime?.model ?? model);
        if (runtime) {
          createdDraws.set(record.name, {
            ...draw,
            runtime,
            shape: record.shape,
            reconciled: { provider, providerInstanceId: record.instanceId },
          });
        }
        return draw.bootMs;
      },
    });
    providers[providerId] = provider;
  }
  return providers;
}

/** True when a tick did anything or left anything to settle. */
function tickActed(result: TickResult): boolean {
  const { actions } = result;
  const planned = result.plan?.configs.some((configPlan) => configPlan.actions.length > 0) ?? false;
  return (
    planned ||
    actions.created.length > 0 ||
    actions.destroyed.length > 0 ||
    actions.createFailed > 0 ||
    actions.destroyFailed > 0 ||
    actions.destroySkipped.length > 0 ||
    actions.intentsResolved > 0 ||
    actions.orphansFound.length > 0 ||
    result.errors.length > 0
  );
}

/** Each config's predicted standby of this tick, from its plan (reports read it); kept when the tick made no plan. */
function notePredictedStandby(context: SimulationContext, result: TickResult): void {
  for (const configPlan of result.plan?.configs ?? []) {
    const runtime = context.fleet.runtimeByKey.get(autoscaleKey(configPlan.pool, configPlan.autoscale));
    if (runtime) runtime.predictedStandby = configPlan.predictedStandby;
  }
}

/**
 * Engine `reconciler`: the production reconciler (`createAutoscaler`) against fake providers on a
 * fake clock, with a memory state store; the simulated fleet is its inventory. The cloud model
 * draws each instance's boot when the fake cloud creates it; the fleet learns of new and destroyed
 * instances from the tick's actions. Check-ins between ticks are recorded when the next tick starts.
 * Trace-learnt demand profiles reach the plan through `AutoscalerOptions.demandProfiles`.
 */
export function createReconcilerEngine(options: {
  context: SimulationContext;
  config: HeadroomConfig;
  cloud: CloudModel;
  seed: number;
  startMs: number;
  demandProfiles: DemandProfileSource;
}): SimulationEngine {
  const { context, config } = options;
  const clock = createFakeClock({ startMs: options.startMs });
  const store = withSimulatorReads(createMemoryStateStore());
  const createdDraws = new Map<string, CreatedDraw>();
  const reconciledInstances = new Map<string, ReconciledInstance>();
  /** Check-ins that happened since the last tick, recorded with the autoscaler before the next one. */
  const checkinsToRecord: { instanceId: string; at: number }[] = [];
  const keyRandom = createRandom((options.seed ^ 0x5bd1e995) >>> 0);
  const autoscaler = createAutoscaler({
    config,
    store,
    providers: createFakeProviders({ ...options, clock, createdDraws }),
    inventory: { getSnapshot: async ({ now }) => buildSnapshot(context.fleet, now) },
    clock,
    timers: clock,
    random: keyRandom.next,
    rateLimit: { callsPerSecond: Number.POSITIVE_INFINITY, concurrency: 1_000_000 },
    startupScriptValues: () => simulatedScriptValues,
    ...(Object.keys(options.demandProfiles.traceProfiles).length > 0
      ? { demandProfiles: () => options.demandProfiles.traceProfiles }
      : {}),
  });
  context.hooks.instanceFailed = (instance) => {
    const reconciled = reconciledInstances.get(instance.id);
    if (reconciled) reconciled.provider.failInstance({ instanceId: reconciled.providerInstanceId });
  };
  context.hooks.checkedIn = (instance, atMs) => {
    if (reconciledInstances.has(instance.id)) checkinsToRecord.push({ instanceId: instance.id, at: atMs });
  };
  const reportedErrors = new Set<string>();

  const runTick = async (atMs: number): Promise<TickResult> => {
    await clock.advanceTo(atMs);
    let settled = false;
    const pending = autoscaler.tick().finally(() => {
      settled = true;
    });
    // Check-ins since the last tick, recorded while this tick is in flight: the tick writes them all
    // to the ledger in one pass before it plans (one ledger read instead of one per check-in).
    const recorded = checkinsToRecord.splice(0).map((checkin) => autoscaler.recordCheckin(checkin));
    // Provider calls take no virtual time; should any sleep (a rate limit, a retry), time moves on.
    while (!settled && (await clock.advanceToNextTimer())) {}
    const result = await pending;
    await Promise.all(recorded);
    return result;
  };

  const applyActions = (result: TickResult, atMs: number): void => {
    for (const { id, cause } of result.actions.destroyed) {
      const instance = context.fleet.instancesById.get(id);
      if (instance) destroyInstance(context, { instance, atMs, reason: destroyReasonOf(cause) });
      reconciledInstances.delete(id);
    }
    for (const { id } of result.actions.drained) {
      const instance = context.fleet.instancesById.get(id);
      if (instance) setDraining(context, { instance, draining: true, atMs });
    }
    for (const { id } of result.actions.undrained) {
      const instance = context.fleet.instancesById.get(id);
      if (instance) setDraining(context, { instance, draining: false, atMs });
    }
    for (const id of result.actions.created) {
      const draw = createdDraws.get(id);
      if (!draw) continue;
      createdDraws.delete(id);
      reconciledInstances.set(id, draw.reconciled);
      launchInstance(context, { runtime: draw.runtime, id, shape: draw.shape, atMs, draw });
    }
  };

  return {
    async tick(atMs: number): Promise<TickOutcome> {
      const result = await runTick(atMs);
      for (const error of result.errors) {
        if (reportedErrors.has(error.scope) || reportedErrors.size >= 20) continue;
        reportedErrors.add(error.scope);
        context.warnings.push(`reconciler ${error.scope}: ${error.errorClass}: ${error.message}`);
      }
      applyActions(result, atMs);
      notePredictedStandby(context, result);
      return {
        nextState: store.lastPlannerState ?? (await store.getPlannerState()),
        acted: tickActed(result),
      };
    },
  };
}
