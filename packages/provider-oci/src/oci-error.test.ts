import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { callOci, isOciOutOfCapacity, mapOciError } from './oci-error.js';

const ociError = (statusCode: number, serviceCode: string, message: string) =>
  Object.assign(new Error(message), { statusCode, serviceCode });
const map = (error: unknown) => mapOciError({ error, operation: 'LaunchInstance' });

describe('OCI error mapping', () => {
  test('"Out of host capacity" is capacity; LimitExceeded and QuotaExceeded are quota', () => {
    const capacity = map(ociError(500, 'InternalError', 'Out of host capacity.'));
    expect(InsufficientCapacityError.isInstance(capacity)).toBe(true);
    expect(isOciOutOfCapacity(capacity)).toBe(true);
    expect(QuotaExceededError.isInstance(map(ociError(400, 'LimitExceeded', 'limits exceeded')))).toBe(true);
    expect(QuotaExceededError.isInstance(map(ociError(400, 'QuotaExceeded', 'quota exceeded')))).toBe(true);
  });

  test('429, 5xx and network failures are retryable; other 500s are not capacity', () => {
    for (const error of [
      ociError(429, 'TooManyRequests', 'slow down'),
      ociError(500, 'InternalServerError', 'oops'),
      ociError(503, 'ServiceUnavailable', 'later'),
      new TypeError('fetch failed'),
    ]) {
      const mapped = map(error);
      expect(ProviderApiError.isInstance(mapped) && mapped.isRetryable).toBe(true);
    }
    expect(isOciOutOfCapacity(map(ociError(500, 'InternalServerError', 'oops')))).toBe(false);
  });

  test('400s name the setting; 401 names the signing key', () => {
    const shape = map(ociError(400, 'InvalidParameter', 'Shape VM.Nope is not valid'));
    expect(InvalidProviderConfigError.isInstance(shape) && shape.field).toBe('shape');
    const key = map(ociError(401, 'NotAuthenticated', 'bad signature'));
    expect(InvalidProviderConfigError.isInstance(key) && key.field).toBe('privateKey');
  });

  test('a call that does not answer in time fails as retryable', async () => {
    const error = await callOci({ operation: 'ListInstances', timeoutMs: 1, call: () => new Promise(() => {}) }).catch(
      (rejected: unknown) => rejected,
    );
    expect(ProviderApiError.isInstance(error) && [error.isRetryable, error.code]).toEqual([true, 'TimeoutError']);
  });
});
