import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { InvalidProviderConfigError } from '../errors/invalid-provider-config-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { QuotaExceededError } from '../errors/quota-exceeded-error.js';
import type { ComputeProviderV1 } from '../provider/v1/compute-provider-v1.js';
import type { DnsProviderV1 } from '../provider/v1/dns-provider-v1.js';
import type { DnsRecord } from '../provider/v1/dns-record.js';
import type { ProviderInstance } from '../provider/v1/provider-v1-instance.js';
import type { FakeCloudInstanceRecord, FakeCloudSnapshot, FakeCloudStats } from './fake-cloud.js';
import type { FakeCloudErrorBody } from './fake-cloud-protocol.js';
import type { FakeFault, FakeFaultRates, FakeOperation } from './fake-faults.js';

export interface FakeHttpProviderOptions {
  /** Base URL of a fake cloud server (`startFakeCloudServer` or `fake-cloud-server-main`). */
  url: string;
  /** Provider id, also the server-side namespace of the instances. Default `fake`. */
  providerId?: string;
  /** Client-side limit per request; exceeding it is a retryable ProviderApiError. Default 10 s. */
  requestTimeoutMs?: number;
  /** Default: global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * A client of the fake cloud HTTP server: ComputeProviderV1 and DnsProviderV1 in one object, plus
 * the test controls of the server.
 */
export interface FakeHttpProvider extends ComputeProviderV1, DnsProviderV1 {
  stats(): Promise<FakeCloudStats>;
  state(): Promise<FakeCloudSnapshot>;
  /** The stored record of an instance (startup script included), or undefined when unknown. */
  instanceRecord(options: { instanceId: string }): Promise<FakeCloudInstanceRecord | undefined>;
  failInstance(options: { instanceId: string }): Promise<void>;
  injectFault(options: { fault: FakeFault; operation?: FakeOperation; count?: number }): Promise<void>;
  setFaultRates(options: { rates: FakeFaultRates; operations?: readonly FakeOperation[] }): Promise<void>;
  reset(): Promise<void>;
}

const isAbortError = (error: unknown) =>
  error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');

/**
 * Creates a client of the fake cloud HTTP server (see `FakeHttpProvider`).
 *
 * Length: a factory whose body is the returned object's methods (each short) over shared closure
 * state; splitting it would only thread that state through parameters.
 */
export function createFakeHttpProvider(options: FakeHttpProviderOptions): FakeHttpProvider {
  const providerId = options.providerId ?? 'fake';
  const baseUrl = options.url.replace(/\/+$/, '');
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const fetchFunction = options.fetch ?? fetch;
  const instancesPath = `/v1/providers/${encodeURIComponent(providerId)}/instances`;
  const recordsPath = (zone: string) => `/v1/dns/zones/${encodeURIComponent(zone)}/records`;

  const toError = (status: number, body: FakeCloudErrorBody | undefined, operation: string): Error => {
    const message = `${operation}: ${body?.message ?? `HTTP ${status}`}`;
    switch (body?.kind) {
      case 'insufficient-capacity':
        return new InsufficientCapacityError({ providerId, message });
      case 'quota-exceeded':
        return new QuotaExceededError({ providerId, message });
      case 'invalid-config':
      case 'bad-request':
        return new InvalidProviderConfigError({ providerId, message, ...(body.field ? { field: body.field } : {}) });
      case 'timeout':
        return new ProviderApiError({
          providerId,
          message,
          statusCode: status,
          code: 'RequestTimeout',
          isRetryable: true,
        });
      default:
        return new ProviderApiError({
          providerId,
          message,
          statusCode: status,
          ...(body?.code ? { code: body.code } : {}),
        });
    }
  };

  const request = async <T>(requestOptions: {
    method: string;
    path: string;
    body?: unknown;
    abortSignal?: AbortSignal | undefined;
    operation: string;
    /** Statuses answered with undefined instead of an error. */
    absentOn?: number;
  }): Promise<T | undefined> => {
    const { abortSignal, operation } = requestOptions;
    abortSignal?.throwIfAborted();
    const timeoutSignal = AbortSignal.timeout(requestTimeoutMs);
    const signal = abortSignal ? AbortSignal.any([abortSignal, timeoutSignal]) : timeoutSignal;
    let response: Response;
    let text: string;
    try {
      response = await fetchFunction(`${baseUrl}${requestOptions.path}`, {
        method: requestOptions.method,
        signal,
        ...(requestOptions.body !== undefined
          ? { body: JSON.stringify(requestOptions.body), headers: { 'content-type': 'application/json' } }
          : {}),
      });
      text = await response.text();
    } catch (error) {
      if (abortSignal?.aborted) throw abortSignal.reason;
      if (timeoutSignal.aborted && isAbortError(error)) {
        throw new ProviderApiError({
          providerId,
          message: `${operation}: no response within ${requestTimeoutMs} ms`,
          code: 'RequestTimeout',
          isRetryable: true,
          cause: error,
        });
      }
      throw new ProviderApiError({
        providerId,
        message: `${operation}: the connection to the fake cloud failed`,
        code: 'NetworkError',
        isRetryable: true,
        cause: error,
      });
    }
    if (response.status === requestOptions.absentOn) return undefined;
    if (!response.ok) {
      let body: FakeCloudErrorBody | undefined;
      try {
        body = (JSON.parse(text) as { error?: FakeCloudErrorBody }).error;
      } catch {
        body = undefined;
      }
      throw toError(response.status, body, operation);
    }
    return text === '' ? undefined : (JSON.parse(text) as T);
  };

  const required = <T>(value: T | undefined, operation: string): T => {
    if (value === undefined) {
      throw new ProviderApiError({ providerId, message: `${operation}: empty response`, statusCode: 502 });
    }
    return value;
  };

  return {
    specificationVersion: 'v1',
    providerId,

    async createInstance({ abortSignal, ...input }) {
      const operation = 'createInstance';
      const body = { ...input, tags: input.tags, shape: input.shape };
      return required(
        await request<ProviderInstance>({ method: 'POST', path: instancesPath, body, abortSignal, operation }),
        operation,
      );
    },
    async destroyInstance({ instanceId, abortSignal }) {
      await request({
        method: 'DELETE',
        path: `${instancesPath}/${encodeURIComponent(instanceId)}`,
        abortSignal,
        operation: 'destroyInstance',
      });
    },
    async listInstances({ tags, abortSignal }) {
      const operation = 'listInstances';
      const path = `${instancesPath}?tags=${encodeURIComponent(JSON.stringify(tags))}`;
      const result = await request<{ instances: ProviderInstance[] }>({ method: 'GET', path, abortSignal, operation });
      return required(result, operation).instances;
    },

    async upsertRecord({ zone, abortSignal, ...record }) {
      await request({ method: 'PUT', path: recordsPath(zone), body: record, abortSignal, operation: 'upsertRecord' });
    },
    async deleteRecord({ zone, name, type, abortSignal }) {
      const query = `?name=${encodeURIComponent(name)}&type=${encodeURIComponent(type)}`;
      await request({ method: 'DELETE', path: `${recordsPath(zone)}${query}`, abortSignal, operation: 'deleteRecord' });
    },
    async listRecords({ zone, abortSignal }) {
      const operation = 'listRecords';
      const result = await request<{ records: DnsRecord[] }>({
        method: 'GET',
        path: recordsPath(zone),
        abortSignal,
        operation,
      });
      return required(result, operation).records;
    },

    async stats() {
      return required(await request<FakeCloudStats>({ method: 'GET', path: '/v1/stats', operation: 'stats' }), 'stats');
    },
    async state() {
      return required(
        await request<FakeCloudSnapshot>({ method: 'GET', path: '/v1/state', operation: 'state' }),
        'state',
      );
    },
    instanceRecord({ instanceId }) {
      return request<FakeCloudInstanceRecord>({
        method: 'GET',
        path: `${instancesPath}/${encodeURIComponent(instanceId)}/record`,
        operation: 'instanceRecord',
        absentOn: 404,
      });
    },
    async failInstance({ instanceId }) {
      await request({
        method: 'POST',
        path: `${instancesPath}/${encodeURIComponent(instanceId)}/fail`,
        operation: 'failInstance',
      });
    },
    async injectFault({ fault, operation = 'create', count }) {
      const body = { fault, operation, ...(count !== undefined ? { count } : {}) };
      await request({ method: 'POST', path: '/v1/faults', body, operation: 'injectFault' });
    },
    async setFaultRates({ rates, operations }) {
      const body = { rates, ...(operations ? { operations } : {}) };
      await request({ method: 'PUT', path: '/v1/fault-rates', body, operation: 'setFaultRates' });
    },
    async reset() {
      await request({ method: 'POST', path: '/v1/reset', operation: 'reset' });
    },
  };
}
