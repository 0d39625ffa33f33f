import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { QuotaExceededError } from '../errors/quota-exceeded-error.js';

/**
 * Faults the fake cloud injects:
 * - `throttled`: ProviderApiError 429, retryable.
 * - `server-error`: ProviderApiError 500, retryable.
 * - `timeout`: the call hangs for the fake's `timeoutMs`, then fails with a retryable ProviderApiError
 *   (code `RequestTimeout`); nothing was done.
 * - `insufficient-capacity`: InsufficientCapacityError (create only).
 * - `quota-exceeded`: QuotaExceededError (create only).
 * - `response-lost`: the cloud performs the call, then the response is lost: a retryable
 *   ProviderApiError (code `ResponseLost`) although the instance was created or destroyed.
 */
export type FakeFault =
  | 'throttled'
  | 'server-error'
  | 'timeout'
  | 'insufficient-capacity'
  | 'quota-exceeded'
  | 'response-lost';

export const FAKE_FAULTS: readonly FakeFault[] = [
  'throttled',
  'server-error',
  'timeout',
  'insufficient-capacity',
  'quota-exceeded',
  'response-lost',
];

/** Calls of the fake cloud that faults can hit. */
export type FakeOperation = 'create' | 'destroy' | 'list' | 'dns-upsert' | 'dns-delete' | 'dns-list';

export const FAKE_OPERATIONS: readonly FakeOperation[] = [
  'create',
  'destroy',
  'list',
  'dns-upsert',
  'dns-delete',
  'dns-list',
];

const createOnlyFaults: ReadonlySet<FakeFault> = new Set(['insufficient-capacity', 'quota-exceeded']);

/** Whether the fault can hit the operation (capacity and quota faults hit creates only). */
export function isFaultApplicable(fault: FakeFault, operation: FakeOperation): boolean {
  return operation === 'create' || !createOnlyFaults.has(fault);
}

/** Probability per fault that a call fails with it; the probabilities add up to at most 1. */
export type FakeFaultRates = Partial<Record<FakeFault, number>>;

/** One-shot faults queued per operation, then probabilistic faults drawn from an injected random function. */
export interface FaultInjector {
  /** Makes the next `count` (default 1) calls of `operation` fail with `fault`. */
  enqueue(options: { operation: FakeOperation; fault: FakeFault; count?: number }): void;
  /** Replaces the fault probabilities, optionally only for some operations (default: all). */
  setRates(options: { rates: FakeFaultRates; operations?: readonly FakeOperation[] }): void;
  /** Decides the fault of one call, if any. */
  draw(operation: FakeOperation): FakeFault | undefined;
  /** Forgets queued faults and rates. */
  clear(): void;
}

export function createFaultInjector(options: { random: () => number }): FaultInjector {
  let queued = new Map<FakeOperation, FakeFault[]>();
  let rates = new Map<FakeOperation, FakeFaultRates>();
  return {
    enqueue({ operation, fault, count = 1 }) {
      if (!isFaultApplicable(fault, operation)) {
        throw new TypeError(`fault ${fault} cannot hit ${operation} calls`);
      }
      const list = queued.get(operation) ?? [];
      for (let index = 0; index < count; index++) list.push(fault);
      queued.set(operation, list);
    },
    setRates({ rates: newRates, operations = FAKE_OPERATIONS }) {
      const total = Object.values(newRates).reduce((sum, rate) => sum + (rate ?? 0), 0);
      if (total > 1 || Object.values(newRates).some((rate) => rate !== undefined && (rate < 0 || !(rate <= 1)))) {
        throw new RangeError(`fault rates must be within [0, 1] and add up to at most 1 (got ${total})`);
      }
      for (const operation of operations) rates.set(operation, { ...newRates });
    },
    draw(operation) {
      const list = queued.get(operation);
      if (list && list.length > 0) return list.shift();
      const operationRates = rates.get(operation);
      if (!operationRates) return undefined;
      let threshold = options.random();
      for (const fault of FAKE_FAULTS) {
        const rate = operationRates[fault] ?? 0;
        if (rate <= 0 || !isFaultApplicable(fault, operation)) continue;
        if (threshold < rate) return fault;
        threshold -= rate;
      }
      return undefined;
    },
    clear() {
      queued = new Map();
      rates = new Map();
    },
  };
}

/** The error a fault surfaces as. */
export function createFaultError(options: { providerId: string; fault: FakeFault; operation: FakeOperation }): Error {
  const { providerId, fault, operation } = options;
  switch (fault) {
    case 'throttled':
      return new ProviderApiError({
        providerId,
        statusCode: 429,
        code: 'Throttling',
        message: `${operation}: request rate exceeded`,
      });
    case 'server-error':
      return new ProviderApiError({
        providerId,
        statusCode: 500,
        code: 'InternalError',
        message: `${operation}: internal server error`,
      });
    case 'timeout':
      return new ProviderApiError({
        providerId,
        code: 'RequestTimeout',
        isRetryable: true,
        message: `${operation}: request timed out`,
      });
    case 'response-lost':
      return new ProviderApiError({
        providerId,
        code: 'ResponseLost',
        isRetryable: true,
        message: `${operation}: connection reset before the response arrived`,
      });
    case 'insufficient-capacity':
      return new InsufficientCapacityError({ providerId, message: `${operation}: insufficient capacity` });
    case 'quota-exceeded':
      return new QuotaExceededError({ providerId, message: `${operation}: instance quota exceeded` });
  }
}
