import type { Clock } from '../clock/clock.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { AutoscalerEvent } from './autoscaler-events.js';
import { forwardOptional } from './with-rate-limit.js';

interface EventDecoratorOptions {
  clock: Clock;
  emit: (event: AutoscalerEvent) => void;
  /** Id reported in the events (the provider config id). */
  providerId: string;
}

/** The class name of an error, for events and metrics (never its message). */
export function errorClassOf(error: unknown): string {
  if (error instanceof Error) return error.name || error.constructor.name;
  return typeof error;
}

async function timed<T>(options: EventDecoratorOptions, method: string, call: () => Promise<T>): Promise<T> {
  const startMs = options.clock.now();
  try {
    const result = await call();
    options.emit({
      type: 'provider-call',
      at: startMs,
      providerId: options.providerId,
      method,
      durationMs: options.clock.now() - startMs,
    });
    return result;
  } catch (error) {
    options.emit({
      type: 'provider-call',
      at: startMs,
      providerId: options.providerId,
      method,
      durationMs: options.clock.now() - startMs,
      errorClass: errorClassOf(error),
    });
    throw error;
  }
}

/** A compute provider that emits one `provider-call` event per call, with latency and error class. */
export function withEvents(provider: ComputeProviderV1, options: EventDecoratorOptions): ComputeProviderV1 {
  return {
    ...forwardOptional(provider),
    specificationVersion: 'v1',
    providerId: provider.providerId,
    createInstance: (callOptions) => timed(options, 'createInstance', () => provider.createInstance(callOptions)),
    destroyInstance: (callOptions) => timed(options, 'destroyInstance', () => provider.destroyInstance(callOptions)),
    listInstances: (callOptions) => timed(options, 'listInstances', () => provider.listInstances(callOptions)),
  };
}

/** A DNS provider that emits one `provider-call` event per call. */
export function withDnsEvents(provider: DnsProviderV1, options: EventDecoratorOptions): DnsProviderV1 {
  return {
    specificationVersion: 'v1',
    providerId: provider.providerId,
    upsertRecord: (callOptions) => timed(options, 'upsertRecord', () => provider.upsertRecord(callOptions)),
    deleteRecord: (callOptions) => timed(options, 'deleteRecord', () => provider.deleteRecord(callOptions)),
    listRecords: (callOptions) => timed(options, 'listRecords', () => provider.listRecords(callOptions)),
  };
}
