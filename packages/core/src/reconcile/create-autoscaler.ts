import type { HeadroomConfig } from '../config/config-schema.js';
import { FencedWriteError } from '../errors/fenced-write-error.js';
import { createSingleProcessLeaderElector } from '../store/memory-state-store.js';
import type { Leadership } from '../store/state-store.js';
import type { Autoscaler, AutoscalerOptions, TickActions, TickResult } from './autoscaler-types.js';
import { flushCheckins } from './flush-checkins.js';
import { createReconcilerRuntime } from './reconciler-runtime.js';
import { TICK_STEPS } from './steps/index.js';
import { createTickContext, failTick, type TickContext } from './tick-context.js';

const DEFAULT_INTERVAL_SECONDS = 30;

const emptyActions = (): TickActions => ({
  created: [],
  createFailed: 0,
  destroyed: [],
  destroyFailed: 0,
  destroySkipped: [],
  drained: [],
  undrained: [],
  intentsResolved: 0,
  intentsDeleted: 0,
  orphansFound: [],
  orphansDestroyed: [],
  dnsUpserted: [],
  dnsDeleted: [],
  computerRecordsCreated: [],
  computerRecordsDeleted: [],
});

/** The tick interval of the config (`scaler.intervalSeconds`), default 30 s. */
export function tickIntervalSeconds(config: HeadroomConfig): number {
  const value = config.scaler?.intervalSeconds;
  return typeof value === 'number' && value > 0 ? value : DEFAULT_INTERVAL_SECONDS;
}

/**
 * Creates the reconciler (DESIGN §8). A tick acquires leadership, then runs `TICK_STEPS` on a
 * `TickContext`: observe (control-plane snapshot, ledger, managed instances listed by tag), resolve
 * open intents, verify the ledger, register DNS, collect orphans and stale DNS, plan with
 * `computeScalingPlan`, destroy, then create (each behind an intent written first).
 *
 * Safety rules it keeps:
 * - an intent and a `requested` ledger entry are written before every create; the create carries
 *   the intent key as idempotency key and the four `headroom-*` tags;
 * - a provider whose instances could not be listed this tick gets no creates or destroys;
 * - an instance that the control plane reports with sessions is never destroyed (checked again on
 *   a fresh snapshot right before destroying);
 * - a failed create is cleaned up by its intent tag and recorded for the planner's exponential
 *   failure backoff.
 *
 * Length: the returned object's methods (leadership, tick, start/stop, check-ins, drains) over one
 * shared runtime; each method is short and the tick itself is `TICK_STEPS`.
 */
export function createAutoscaler(options: AutoscalerOptions): Autoscaler {
  const runtime = createReconcilerRuntime(options);
  const { clock, timers, emit, store } = runtime;
  const leaderElector = options.leaderElector ?? createSingleProcessLeaderElector();
  let config = options.config;
  let initialized = false;
  let leaderEpoch: number | undefined;
  let last: TickResult | undefined;
  let running: Promise<TickResult> | undefined;
  let loop: Promise<void> | undefined;
  let loopAbort: AbortController | undefined;

  /** Becomes or stays leader; emits `leadership-change` when that changed. Null when not leading. */
  async function acquireLeadership(context: { errors: TickResult['errors'] }): Promise<Leadership | null> {
    let leadership: Leadership | null;
    try {
      leadership = await leaderElector.acquire();
    } catch (error) {
      failTick(context, 'leader-election', error);
      leadership = null;
    }
    if (!leadership) {
      if (leaderEpoch !== undefined) emit({ type: 'leadership-change', at: clock.now(), leader: false });
      leaderEpoch = undefined;
      return null;
    }
    if (leaderEpoch !== leadership.epoch) {
      emit({
        type: 'leadership-change',
        at: clock.now(),
        leader: true,
        epoch: leadership.epoch,
        holderId: leadership.holderId,
      });
    }
    leaderEpoch = leadership.epoch;
    return leadership;
  }

  async function runTick(): Promise<TickResult> {
    const startMs = clock.now();
    const actions = emptyActions();
    const errors: TickResult['errors'] = [];
    const finish = (extra: Partial<TickResult>): TickResult => {
      const durationMs = clock.now() - startMs;
      const result: TickResult = {
        at: new Date(startMs).toISOString(),
        leader: false,
        actions,
        errors,
        durationMs,
        ...extra,
      };
      if (result.leader) emit({ type: 'tick-end', at: clock.now(), durationMs, errors: errors.length });
      last = result;
      return result;
    };

    const leadership = await acquireLeadership({ errors });
    if (!leadership) {
      runtime.storeMemory = undefined;
      return finish({ leader: false });
    }
    const epoch = leadership.epoch;
    emit({ type: 'tick-start', at: startMs, epoch });
    const context = createTickContext({ runtime, epoch, nowMs: startMs, config, actions, errors });
    try {
      if (!initialized) {
        await store.init();
        initialized = true;
      }
      await runSteps(context);
      if (errors.length > 0) runtime.verificationDue = true;
      return finish({ leader: true, epoch, ...(context.plan ? { plan: context.plan } : {}) });
    } catch (error) {
      const fenced = FencedWriteError.isInstance(error);
      failTick(context, fenced ? 'fenced' : 'tick', error);
      // A write may have failed half-way: read the store again next tick.
      runtime.storeMemory = undefined;
      runtime.verificationDue = true;
      if (!fenced) return finish({ leader: true, epoch });
      emit({ type: 'leadership-change', at: clock.now(), leader: false });
      leaderEpoch = undefined;
      return finish({ leader: false });
    }
  }

  const autoscaler: Autoscaler = {
    tick() {
      if (running) return running;
      running = runTick().finally(() => {
        running = undefined;
      });
      return running;
    },
    start() {
      if (loop) return;
      runtime.stopped = false;
      loopAbort = new AbortController();
      const signal = loopAbort.signal;
      loop = (async () => {
        while (!runtime.stopped) {
          await autoscaler.tick();
          if (runtime.stopped) break;
          try {
            await timers.sleep(tickIntervalSeconds(config) * 1000, signal);
          } catch {
            break;
          }
        }
      })();
    },
    async stop() {
      runtime.stopped = true;
      loopAbort?.abort(new Error('autoscaler stopped'));
      await loop;
      loop = undefined;
      if (running) await running.catch(() => undefined);
      if (leaderEpoch !== undefined) {
        await leaderElector.release();
        emit({ type: 'leadership-change', at: clock.now(), leader: false });
        leaderEpoch = undefined;
      }
    },
    updateConfig(next) {
      config = next;
    },
    async recordCheckin({ instanceId, at, status }) {
      if (status === undefined || status.status === 'running') runtime.pendingCheckins.set(instanceId, at);
      if (status) runtime.pendingStatuses.set(instanceId, { ...status, at: new Date(at).toISOString() });
      if (leaderEpoch === undefined || running) return;
      try {
        await flushCheckins(runtime, { epoch: leaderEpoch });
      } catch (error) {
        if (!FencedWriteError.isInstance(error)) throw error;
      }
    },
    async recordOperatorDrain({ instanceId, drained, at }) {
      runtime.pendingOperatorDrains.set(instanceId, drained ? at : null);
      // A tick in flight may have passed its observe step: the next one writes the drain.
      if (running) await running.catch(() => undefined);
      if (runtime.pendingOperatorDrains.has(instanceId)) await autoscaler.tick();
      if (runtime.pendingOperatorDrains.delete(instanceId)) return false;
      const entry = (await store.listInstances()).find((candidate) => candidate.id === instanceId);
      return entry !== undefined && (entry.operatorDrainedAt !== undefined) === drained;
    },
    lastTick: () => last,
  };
  return autoscaler;
}

/** Runs the tick's steps in order until one stops the tick. */
async function runSteps(context: TickContext): Promise<void> {
  for (const step of TICK_STEPS) {
    if ((await step.run(context)) === 'stop') return;
  }
}
