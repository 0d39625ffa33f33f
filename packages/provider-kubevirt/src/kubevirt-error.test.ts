import { InvalidProviderConfigError, ProviderApiError, QuotaExceededError } from '@headroom/core/provider';
import { ApiException } from '@kubernetes/client-node';
import { describe, expect, test } from 'vitest';
import { mapKubevirtError } from './kubevirt-error.js';

const status = (code: number, reason: string, message: string, details: object = {}) =>
  new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, details, code }),
    {},
  );

const map = (error: unknown, manifestField?: string) =>
  mapKubevirtError({ error, operation: 'create VirtualMachine', providerId: 'kubevirt', manifestField });

describe('mapKubevirtError', () => {
  test('403 exceeded quota is a QuotaExceededError with the Status message', () => {
    const error = map(
      status(
        403,
        'Forbidden',
        'virtualmachines.kubevirt.io "a" is forbidden: exceeded quota: q, requested: count/virtualmachines.kubevirt.io=1',
      ),
    );
    expect(QuotaExceededError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('exceeded quota: q');
  });

  test('other 403s point at the RBAC Role; 401 at the token (a 401 has no body)', () => {
    const forbidden = map(
      status(
        403,
        'Forbidden',
        'secrets is forbidden: User "system:serviceaccount:kasm:headroom" cannot create resource "secrets"',
      ),
    );
    expect(InvalidProviderConfigError.isInstance(forbidden) && forbidden.message.includes('RBAC Role')).toBe(true);
    const unauthorized = map(new ApiException(401, 'Unauthorized', undefined, {}));
    expect(InvalidProviderConfigError.isInstance(unauthorized) && unauthorized.field === 'apiToken').toBe(true);
  });

  test('404 on the namespace names the namespace setting; 404 on the API asks whether KubeVirt is installed', () => {
    const namespace = map(status(404, 'NotFound', 'namespaces "kasm" not found', { name: 'kasm', kind: 'namespaces' }));
    expect(InvalidProviderConfigError.isInstance(namespace) && namespace.field === 'namespace').toBe(true);
    const api = map(status(404, 'NotFound', 'the server could not find the requested resource'));
    expect(InvalidProviderConfigError.isInstance(api) && api.message.includes('is KubeVirt installed?')).toBe(true);
  });

  test('422 Invalid points at the manifest setting when an override is used', () => {
    const invalid = map(
      status(
        422,
        'Invalid',
        'VirtualMachine.kubevirt.io "a" is invalid: spec.template.spec.domain.devices.disks[0].name: Duplicate value',
      ),
      'configOverride',
    );
    expect(InvalidProviderConfigError.isInstance(invalid) && invalid.field === 'configOverride').toBe(true);
  });

  test('429, 5xx, 409 and network errors are retryable; a 400 is not', () => {
    for (const [code, reason] of [
      [429, 'TooManyRequests'],
      [500, 'InternalError'],
      [503, 'ServiceUnavailable'],
      [409, 'Conflict'],
    ] as const) {
      const error = map(status(code, reason, 'try again'));
      expect(
        ProviderApiError.isInstance(error) && error.isRetryable && error.statusCode === code && error.code === reason,
      ).toBe(true);
    }
    const network = map(
      Object.assign(new Error('request to https://10.0.0.1:6443 failed, reason: connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
      }),
    );
    expect(ProviderApiError.isInstance(network) && network.isRetryable && network.code === 'ECONNREFUSED').toBe(true);
    const bad = map(status(400, 'BadRequest', 'unable to parse requirement'));
    expect(InvalidProviderConfigError.isInstance(bad)).toBe(true);
  });

  test('abort errors and Headroom errors pass through unchanged; the cause is kept', () => {
    const abort = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    expect(map(abort)).toBe(abort);
    const original = status(500, 'InternalError', 'boom');
    const mapped = map(original) as Error;
    expect(mapped.cause).toBe(original);
    expect(map(mapped)).toBe(mapped);
  });
});
