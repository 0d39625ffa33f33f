import type { Timers } from '../clock/clock.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { RetryOptions } from './autoscaler-types.js';
import { forwardOptional } from './with-rate-limit.js';

interface RetryDecoratorOptions {
  retry: RetryOptions;
  timers: Timers;
  /** Random numbers in [0, 1) for the jitter. */
  random: () => number;
  /** Called before each wait (for events and tests). */
  onRetry?: (details: { method: string; attempt: number; delayMs: number; error: unknown }) => void;
}

/**
 * Wait before retry number `retry` (1 for the first retry): a cap of `initialDelayMs · 2^(retry−1)`
 * bounded by `maxDelayMs`, with jitter drawn uniformly from [cap / 2, cap].
 */
export function retryDelayMs(options: {
  retry: number;
  initialDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}): number {
  const capMs = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (options.retry - 1));
  return capMs / 2 + options.random() * (capMs / 2);
}

/** Whether an error is worth retrying: a `ProviderApiError` with `isRetryable`. */
export function isRetryableError(error: unknown): boolean {
  return ProviderApiError.isInstance(error) && error.isRetryable;
}

/** Runs `call`, retrying retryable errors with capped exponential backoff and jitter. */
export async function callWithRetry<T>(
  options: RetryDecoratorOptions & { method: string; abortSignal?: AbortSignal | undefined },
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.retry.maxAttempts || !isRetryableError(error) || options.abortSignal?.aborted) throw error;
      const delayMs = retryDelayMs({
        retry: attempt,
        initialDelayMs: options.retry.initialDelayMs,
        maxDelayMs: options.retry.maxDelayMs,
        random: options.random,
      });
      options.onRetry?.({ method: options.method, attempt, delayMs, error });
      await options.timers.sleep(delayMs, options.abortSignal);
    }
  }
}

/**
 * A compute provider that retries retryable errors. Creates are safe to retry: every attempt sends
 * the same idempotency key.
 */
export function withRetry(provider: ComputeProviderV1, options: RetryDecoratorOptions): ComputeProviderV1 {
  const run = <T>(method: string, abortSignal: AbortSignal | undefined, call: () => Promise<T>) =>
    callWithRetry({ ...options, method, abortSignal }, call);
  return {
    ...forwardOptional(provider),
    specificationVersion: 'v1',
    providerId: provider.providerId,
    createInstance: (callOptions) =>
      run('createInstance', callOptions.abortSignal, () => provider.createInstance(callOptions)),
    destroyInstance: (callOptions) =>
      run('destroyInstance', callOptions.abortSignal, () => provider.destroyInstance(callOptions)),
    listInstances: (callOptions) =>
      run('listInstances', callOptions.abortSignal, () => provider.listInstances(callOptions)),
  };
}

/** A DNS provider that retries retryable errors (upserts and deletes are idempotent). */
export function withDnsRetry(provider: DnsProviderV1, options: RetryDecoratorOptions): DnsProviderV1 {
  const run = <T>(method: string, abortSignal: AbortSignal | undefined, call: () => Promise<T>) =>
    callWithRetry({ ...options, method, abortSignal }, call);
  return {
    specificationVersion: 'v1',
    providerId: provider.providerId,
    upsertRecord: (callOptions) =>
      run('upsertRecord', callOptions.abortSignal, () => provider.upsertRecord(callOptions)),
    deleteRecord: (callOptions) =>
      run('deleteRecord', callOptions.abortSignal, () => provider.deleteRecord(callOptions)),
    listRecords: (callOptions) => run('listRecords', callOptions.abortSignal, () => provider.listRecords(callOptions)),
  };
}
