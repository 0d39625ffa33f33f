import { RestError } from '@azure/core-rest-pipeline';
import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { mapAzureError } from './azure-error.js';

function restError(statusCode: number, code: string, message: string, headers: Record<string, string> = {}) {
  return new RestError(message, {
    statusCode,
    code,
    response: {
      status: statusCode,
      headers: { get: (name: string) => headers[name.toLowerCase()] } as never,
      request: {} as never,
    },
  });
}

const map = (error: unknown) => mapAzureError({ error, operation: 'VirtualMachines.CreateOrUpdate' });

describe('mapAzureError', () => {
  test.each([
    ['SkuNotAvailable', 409],
    ['AllocationFailed', 200],
    ['ZonalAllocationFailed', 200],
    ['OverconstrainedAllocationRequest', 409],
  ])('%s → InsufficientCapacityError', (code, status) => {
    const mapped = map(restError(status, code, 'no capacity'));
    expect(InsufficientCapacityError.isInstance(mapped)).toBe(true);
  });

  test('a long-running operation that failed after accepting keeps its code', () => {
    const mapped = map(new Error('The long-running operation has failed. AllocationFailed. Allocation failed.'));
    expect(InsufficientCapacityError.isInstance(mapped)).toBe(true);
    expect((mapped as Error).message).toBe(
      '[azure] VirtualMachines.CreateOrUpdate failed (AllocationFailed): Allocation failed.',
    );
  });

  test('OperationNotAllowed about quota → QuotaExceededError; other OperationNotAllowed is not', () => {
    expect(
      QuotaExceededError.isInstance(
        map(restError(409, 'OperationNotAllowed', 'exceeding approved Total Regional Cores quota')),
      ),
    ).toBe(true);
    const other = map(restError(409, 'OperationNotAllowed', 'Operation is not allowed on a VM being deleted.'));
    expect(ProviderApiError.isInstance(other) && other.isRetryable).toBe(true);
  });

  test.each([
    [429, 'OperationNotAllowed', 'too many requests (throttling limit)'],
    [429, 'SubscriptionRequestsThrottled', 'throttled'],
    [500, 'InternalExecutionError', 'oops'],
    [503, 'ServiceUnavailable', 'down'],
    [409, 'RetryableError', 'retry'],
  ])('%i %s → retryable ProviderApiError', (status, code, message) => {
    const mapped = map(restError(status, code, message, { 'retry-after': '5' }));
    expect(ProviderApiError.isInstance(mapped)).toBe(true);
    expect((mapped as ProviderApiError).isRetryable).toBe(true);
    expect((mapped as ProviderApiError).code).toBe(code);
    expect((mapped as Error).message).toContain('Retry-After 5 s');
  });

  test.each([
    [404, 'PlatformImageNotFound', 'The platform image is not available.', 'imageReference'],
    [404, 'GalleryImageNotFound', 'gallery image not found', 'imageReference'],
    [
      400,
      'InvalidResourceReference',
      'Resource /subscriptions/x/.../virtualNetworks/v/subnets/s referenced by resource y was not found.',
      'subnet',
    ],
    [
      400,
      'InvalidResourceReference',
      'Resource /subscriptions/x/.../networkSecurityGroups/n referenced by resource y was not found.',
      'networkSecurityGroup',
    ],
    [
      400,
      'InvalidParameter',
      "The value of parameter imageReference.sku is invalid. Target: 'imageReference'.",
      'imageReference',
    ],
    [
      400,
      'InvalidParameter',
      "The supplied password must be between 8-123 characters long. Target: 'adminPassword'.",
      'osPassword',
    ],
    [404, 'ResourceGroupNotFound', "Resource group 'rg' could not be found.", 'resourceGroup'],
    [400, 'LocationNotAvailableForResourceType', 'The provided location is not available.', 'region'],
  ])('%i %s → config error naming %s', (status, code, message, field) => {
    const mapped = map(restError(status, code, message));
    expect(InvalidProviderConfigError.isInstance(mapped)).toBe(true);
    expect((mapped as InvalidProviderConfigError).field).toBe(field);
  });

  test('missing permissions and sign-in failures are config errors; network failures are retryable', () => {
    const denied = map(restError(403, 'AuthorizationFailed', 'The client does not have authorization'));
    expect(InvalidProviderConfigError.isInstance(denied) && denied.message).toContain('README');
    const signIn = Object.assign(new Error('AADSTS7000215: Invalid client secret provided.'), {
      name: 'AuthenticationError',
    });
    expect(
      InvalidProviderConfigError.isInstance(map(signIn)) && (map(signIn) as InvalidProviderConfigError).field,
    ).toBe('clientSecret');
    const network = map(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(ProviderApiError.isInstance(network) && network.isRetryable).toBe(true);
    const badRequest = map(restError(400, 'BadRequestFormat', 'bad'));
    expect(ProviderApiError.isInstance(badRequest) && badRequest.isRetryable).toBe(false);
  });

  test('abort errors pass through unchanged', () => {
    const controller = new AbortController();
    controller.abort();
    expect(mapAzureError({ error: controller.signal.reason, operation: 'x', abortSignal: controller.signal })).toBe(
      controller.signal.reason,
    );
  });
});
