import type { Clock, Timers } from '../clock/clock.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { RateLimitOptions } from './autoscaler-types.js';
import { createCallLimiter } from './call-limiter.js';

interface RateLimitDecoratorOptions {
  rateLimit: RateLimitOptions;
  clock: Clock;
  timers: Timers;
}

/** A compute provider whose calls share one rate limit and concurrency bound. */
export function withRateLimit(provider: ComputeProviderV1, options: RateLimitDecoratorOptions): ComputeProviderV1 {
  const limiter = createCallLimiter({ ...options.rateLimit, clock: options.clock, timers: options.timers });
  return {
    ...forwardOptional(provider),
    specificationVersion: 'v1',
    providerId: provider.providerId,
    createInstance: (callOptions) => limiter.run(() => provider.createInstance(callOptions), callOptions.abortSignal),
    destroyInstance: (callOptions) => limiter.run(() => provider.destroyInstance(callOptions), callOptions.abortSignal),
    listInstances: (callOptions) => limiter.run(() => provider.listInstances(callOptions), callOptions.abortSignal),
  };
}

/** A DNS provider whose calls share one rate limit and concurrency bound. */
export function withDnsRateLimit(provider: DnsProviderV1, options: RateLimitDecoratorOptions): DnsProviderV1 {
  const limiter = createCallLimiter({ ...options.rateLimit, clock: options.clock, timers: options.timers });
  return {
    specificationVersion: 'v1',
    providerId: provider.providerId,
    upsertRecord: (callOptions) => limiter.run(() => provider.upsertRecord(callOptions), callOptions.abortSignal),
    deleteRecord: (callOptions) => limiter.run(() => provider.deleteRecord(callOptions), callOptions.abortSignal),
    listRecords: (callOptions) => limiter.run(() => provider.listRecords(callOptions), callOptions.abortSignal),
  };
}

/** The optional members of a compute provider, bound to it. */
export function forwardOptional(
  provider: ComputeProviderV1,
): Pick<ComputeProviderV1, 'retrieveConnectionSecret' | 'close'> {
  return {
    ...(provider.retrieveConnectionSecret
      ? { retrieveConnectionSecret: provider.retrieveConnectionSecret.bind(provider) }
      : {}),
    ...(provider.close ? { close: provider.close.bind(provider) } : {}),
  };
}
