import type { Clock, Timers } from '@headroom/core/provider';

/**
 * Calls `check` until it returns a value, every `intervalMs`, for at most `timeoutMs` of the
 * injected clock. Resolves `undefined` on timeout; rejects when the signal aborts.
 */
export async function pollUntil<T>(options: {
  check: () => Promise<T | undefined>;
  clock: Clock;
  timers: Timers;
  intervalMs: number;
  timeoutMs: number;
  abortSignal?: AbortSignal | undefined;
}): Promise<T | undefined> {
  const deadline = options.clock.now() + options.timeoutMs;
  for (;;) {
    options.abortSignal?.throwIfAborted();
    const result = await options.check();
    if (result !== undefined) return result;
    if (options.clock.now() >= deadline) return undefined;
    await options.timers.sleep(options.intervalMs, options.abortSignal);
  }
}
