/** Source of the current time, injected everywhere time matters. Milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Timers, injected so that a virtual clock can drive retries, rate limits and loops. */
export interface Timers {
  /** Resolves after `ms` (virtual or real), or rejects with the signal's reason when aborted. */
  sleep(ms: number, abortSignal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  sleep(ms, abortSignal) {
    return new Promise((resolve, reject) => {
      if (abortSignal?.aborted) {
        reject(abortSignal.reason);
        return;
      }
      const handle = setTimeout(() => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(handle);
        reject(abortSignal?.reason);
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
