import type { Clock, Timers } from '../clock/clock.js';
import type { RateLimitOptions } from './autoscaler-types.js';

/**
 * Bounds the calls to one provider: at most `concurrency` in flight, and starts spaced evenly at
 * `callsPerSecond` (a token bucket of size one, on the injected clock and timers).
 */
export interface CallLimiter {
  run<T>(call: () => Promise<T>, abortSignal?: AbortSignal): Promise<T>;
  readonly inFlightCalls: number;
  readonly queuedCalls: number;
}

export function createCallLimiter(options: RateLimitOptions & { clock: Clock; timers: Timers }): CallLimiter {
  if (!(options.callsPerSecond > 0)) throw new RangeError('rateLimit.callsPerSecond must be > 0');
  if (!(options.concurrency >= 1)) throw new RangeError('rateLimit.concurrency must be ≥ 1');
  const intervalMs = 1000 / options.callsPerSecond;
  let nextStartMs = Number.NEGATIVE_INFINITY;
  let inFlightCalls = 0;
  const waiting: (() => void)[] = [];

  const acquireSlot = async (abortSignal?: AbortSignal): Promise<void> => {
    if (inFlightCalls < options.concurrency && waiting.length === 0) {
      inFlightCalls += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
        reject(abortSignal?.reason);
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(grant);
    });
  };

  const releaseSlot = () => {
    const next = waiting.shift();
    if (next) next();
    else inFlightCalls -= 1;
  };

  return {
    async run(call, abortSignal) {
      abortSignal?.throwIfAborted();
      await acquireSlot(abortSignal);
      try {
        const nowMs = options.clock.now();
        const startMs = Math.max(nowMs, nextStartMs);
        nextStartMs = startMs + intervalMs;
        if (startMs > nowMs) await options.timers.sleep(startMs - nowMs, abortSignal);
        return await call();
      } finally {
        releaseSlot();
      }
    },
    get inFlightCalls() {
      return inFlightCalls;
    },
    get queuedCalls() {
      return waiting.length;
    },
  };
}
