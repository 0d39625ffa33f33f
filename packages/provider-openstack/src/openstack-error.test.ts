import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { mapOpenstackServer, type NovaServer } from './map-openstack-server.js';
import { mapKeystoneError, mapOpenstackError } from './openstack-error.js';
import { extractOpenstackMessage, OpenstackHttpError } from './openstack-http.js';

const httpError = (status: number | undefined, message: string, extra: { retryAfterSeconds?: number } = {}) =>
  new OpenstackHttpError({
    operation: 'POST compute /servers',
    message,
    ...(status === undefined ? {} : { status }),
    ...extra,
  });

describe('mapOpenstackError', () => {
  test('No valid host is capacity, whatever the status', () => {
    const error = mapOpenstackError(httpError(500, 'No valid host was found. There are not enough hosts available.'));
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(OpenstackHttpError);
  });

  test('403 with a quota message and 413 are quota; 403 without one is not', () => {
    expect(
      QuotaExceededError.isInstance(
        mapOpenstackError(httpError(403, 'Quota exceeded for cores: Requested 8, but already used 60 of 64 cores')),
      ),
    ).toBe(true);
    expect(
      QuotaExceededError.isInstance(
        mapOpenstackError(
          httpError(
            413,
            'VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota',
          ),
        ),
      ),
    ).toBe(true);
    const forbidden = mapOpenstackError(
      httpError(403, "Policy doesn't allow os_compute_api:servers:create to be performed."),
    );
    expect(ProviderApiError.isInstance(forbidden) && !forbidden.isRetryable && forbidden.statusCode).toBe(403);
  });

  test('429, 503, other 5xx, timeouts and unreachable endpoints are retryable', () => {
    for (const error of [
      httpError(429, 'Rate limit exceeded'),
      httpError(503, 'Service Unavailable'),
      httpError(502, 'Bad Gateway'),
      httpError(413, 'Too many requests', { retryAfterSeconds: 5 }),
      httpError(undefined, 'cannot reach nova (ECONNREFUSED)'),
    ]) {
      const mapped = mapOpenstackError(error);
      expect(ProviderApiError.isInstance(mapped) && mapped.isRetryable).toBe(true);
    }
  });

  test('a 400 about a setting names it; other 400s are plain API errors', () => {
    const cases: Array<[string, string]> = [
      ['Invalid imageRef provided.', 'imageId'],
      ['Flavor 42 could not be found.', 'flavor'],
      ['The requested availability zone is not available', 'availabilityZone'],
      ['Security group kasm not found for project abc.', 'securityGroups'],
      ['Invalid key_name provided.', 'keyName'],
      ['Network abc could not be found.', 'networkId'],
    ];
    for (const [message, field] of cases) {
      const mapped = mapOpenstackError(httpError(400, message));
      expect(InvalidProviderConfigError.isInstance(mapped) && mapped.field).toBe(field);
    }
    expect(
      ProviderApiError.isInstance(mapOpenstackError(httpError(400, 'Invalid input for field/attribute name.'))),
    ).toBe(true);
  });

  test('Keystone refusing a token issue names the secret setting; other errors map as usual', () => {
    const refused = new OpenstackHttpError({
      operation: 'POST identity /auth/tokens',
      status: 401,
      message: 'The request you have made requires authentication.',
    });
    const mapped = mapKeystoneError(refused, 'password');
    expect(InvalidProviderConfigError.isInstance(mapped) && mapped.field).toBe('password');
    const serviceRefusal = mapKeystoneError(httpError(401, 'refused a freshly issued token'), 'password');
    expect(ProviderApiError.isInstance(serviceRefusal) && serviceRefusal.statusCode).toBe(401);
  });
});

test('extractOpenstackMessage reads Nova, Keystone, plain and HTML bodies', () => {
  expect(extractOpenstackMessage({ forbidden: { code: 403, message: 'Quota exceeded' } })).toBe('Quota exceeded');
  expect(extractOpenstackMessage({ error: { code: 401, message: 'Unauthorized', title: 'x' } })).toBe('Unauthorized');
  expect(extractOpenstackMessage('<html><body><h1>404 Not Found</h1>gone</body></html>')).toBe('404 Not Found gone');
  expect(extractOpenstackMessage(undefined)).toBeUndefined();
});

test('Nova statuses map to Headroom states; DELETED is not live; ERROR carries the fault', () => {
  const server = (status: string, extra: Partial<NovaServer> = {}): NovaServer => ({
    id: 'i',
    name: 'n',
    status,
    ...extra,
  });
  expect(mapOpenstackServer(server('BUILD')).state).toBe('pending');
  expect(mapOpenstackServer(server('ACTIVE')).state).toBe('running');
  expect(mapOpenstackServer(server('HARD_REBOOT')).state).toBe('running');
  expect(mapOpenstackServer(server('SHUTOFF')).state).toBe('stopping');
  expect(mapOpenstackServer(server('ACTIVE', { 'OS-EXT-STS:task_state': 'deleting' })).state).toBe('stopping');
  const failed = mapOpenstackServer(
    server('ERROR', { fault: { code: 500, message: 'Exceeded maximum number of retries.' } }),
  );
  expect(failed).toMatchObject({ state: 'failed', faultMessage: 'Exceeded maximum number of retries.' });
  const addressed = mapOpenstackServer(
    server('ACTIVE', {
      addresses: {
        private: [
          { addr: 'fd00::5', version: 6, 'OS-EXT-IPS:type': 'fixed' },
          { addr: '10.0.0.5', version: 4, 'OS-EXT-IPS:type': 'fixed' },
          { addr: '203.0.113.7', version: 4, 'OS-EXT-IPS:type': 'floating' },
        ],
      },
      flavor: { vcpus: 4, ram: 8192 },
    }),
  );
  expect(addressed).toMatchObject({
    privateAddress: '10.0.0.5',
    publicAddress: '203.0.113.7',
    shape: { cores: 4, memoryMb: 8192, gpus: 0 },
  });
});
