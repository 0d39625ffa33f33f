import type { Clock, Timers } from '../clock/clock.js';
import { createFaultError, type FakeOperation, type FaultInjector } from './fake-faults.js';

/** A token bucket the fake cloud enforces on the injected clock; calls beyond it are throttled. */
export interface FakeRateLimit {
  requestsPerSecond: number;
  /** Bucket size. Default: `requestsPerSecond`. */
  burst?: number;
}

export interface FakeCallRunnerOptions {
  providerId: string;
  clock: Clock;
  timers: Timers;
  injector: FaultInjector;
  /** Latency of every call, or per operation. Default 0. */
  latencyMs?: number | ((operation: FakeOperation) => number);
  /** How long a `timeout` fault hangs before failing. Default 10 s. */
  timeoutMs?: number;
  rateLimit?: FakeRateLimit;
}

/** Runs fake cloud calls with latency, abort signals, a rate limit and injected faults. */
export interface FakeCallRunner {
  run<T>(options: {
    operation: FakeOperation;
    abortSignal: AbortSignal | undefined;
    /** Error to throw instead of drawing a fault (the one-shot `nextCreateError`). */
    takeOneShotError?: () => Error | undefined;
    perform: () => T;
  }): Promise<T>;
  readonly inFlightCalls: number;
  readonly maxInFlightCalls: number;
  reset(): void;
}

export function createFakeCallRunner(options: FakeCallRunnerOptions): FakeCallRunner {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let inFlightCalls = 0;
  let maxInFlightCalls = 0;
  const burst = options.rateLimit ? (options.rateLimit.burst ?? options.rateLimit.requestsPerSecond) : 0;
  let tokens = burst;
  let refilledAtMs = options.clock.now();

  const latencyOf = (operation: FakeOperation): number => {
    const latency = options.latencyMs;
    if (latency === undefined) return 0;
    return typeof latency === 'number' ? latency : latency(operation);
  };

  const takeToken = (): boolean => {
    const rateLimit = options.rateLimit;
    if (!rateLimit) return true;
    const nowMs = options.clock.now();
    tokens = Math.min(burst, tokens + ((nowMs - refilledAtMs) * rateLimit.requestsPerSecond) / 1000);
    refilledAtMs = nowMs;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };

  return {
    async run({ operation, abortSignal, takeOneShotError, perform }) {
      abortSignal?.throwIfAborted();
      inFlightCalls += 1;
      maxInFlightCalls = Math.max(maxInFlightCalls, inFlightCalls);
      try {
        const latencyMs = latencyOf(operation);
        if (latencyMs > 0) await options.timers.sleep(latencyMs, abortSignal);
        else await Promise.resolve();
        abortSignal?.throwIfAborted();
        const { providerId } = options;
        if (!takeToken()) throw createFaultError({ providerId, fault: 'throttled', operation });
        const oneShotError = takeOneShotError?.();
        if (oneShotError) throw oneShotError;
        const fault = options.injector.draw(operation);
        if (fault === undefined) return perform();
        if (fault === 'timeout') await options.timers.sleep(timeoutMs, abortSignal);
        if (fault === 'response-lost') perform();
        throw createFaultError({ providerId, fault, operation });
      } finally {
        inFlightCalls -= 1;
      }
    },
    get inFlightCalls() {
      return inFlightCalls;
    },
    get maxInFlightCalls() {
      return maxInFlightCalls;
    },
    reset() {
      maxInFlightCalls = inFlightCalls;
      tokens = burst;
      refilledAtMs = options.clock.now();
    },
  };
}
