import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { isDoMissingTagError, mapDoResponseError, mapDoTransportError } from './do-error.js';

const map = (statusCode: number, message: string, id = 'unprocessable_entity') =>
  mapDoResponseError({ statusCode, body: { id, message }, operation: 'CreateDroplet' });

describe('DigitalOcean error mapping', () => {
  test('422 size or region unavailable is capacity; droplet limits are quota', () => {
    expect(InsufficientCapacityError.isInstance(map(422, 'Size is not available in this region.'))).toBe(true);
    expect(InsufficientCapacityError.isInstance(map(422, 'Region is not available'))).toBe(true);
    expect(
      QuotaExceededError.isInstance(map(422, 'creating this/these droplet(s) will exceed your droplet limit')),
    ).toBe(true);
    expect(QuotaExceededError.isInstance(map(403, 'You have reached your droplet limit', 'forbidden'))).toBe(true);
  });

  test('other 422s name the setting; 401 and 403 name the token', () => {
    const image = map(422, 'You specified an invalid image for Droplet creation.');
    expect(InvalidProviderConfigError.isInstance(image) && image.field).toBe('image');
    const unauthorized = map(401, 'Unable to authenticate you', 'unauthorized');
    expect(InvalidProviderConfigError.isInstance(unauthorized) && unauthorized.field).toBe('token');
    const forbidden = map(403, 'You are not authorized to perform this operation', 'forbidden');
    expect(InvalidProviderConfigError.isInstance(forbidden) && forbidden.field).toBe('token');
  });

  test('429 and 5xx are retryable, 404 is not', () => {
    for (const status of [429, 500, 503]) {
      const error = map(status, 'x', 'too_many_requests');
      expect(ProviderApiError.isInstance(error) && error.isRetryable).toBe(true);
    }
    const missing = map(404, 'not found', 'not_found');
    expect(ProviderApiError.isInstance(missing) && missing.isRetryable).toBe(false);
  });

  test('timeouts and network failures are retryable; an abort passes its reason through', () => {
    const timeout = mapDoTransportError({
      error: new DOMException('timed out', 'TimeoutError'),
      operation: 'ListDroplets',
      abortSignal: undefined,
    });
    expect(ProviderApiError.isInstance(timeout) && [timeout.isRetryable, timeout.code]).toEqual([true, 'TimeoutError']);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    expect(
      mapDoTransportError({ error: new Error('aborted'), operation: 'ListDroplets', abortSignal: controller.signal }),
    ).toBe(controller.signal.reason);
  });

  test('the seed\'s "tag … does not exist" is recognised', () => {
    expect(isDoMissingTagError(map(404, 'tag zone:abc123 does not exist', 'not_found'))).toBe(true);
    expect(isDoMissingTagError(map(404, 'droplet not found', 'not_found'))).toBe(false);
  });
});
