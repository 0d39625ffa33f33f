import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  type ProviderInstance,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FAKE_GCP_DEFAULTS, type FakeGcpComputeServer, startFakeGcpComputeServer } from '../test/fake-gcp-server.js';
import { createFakeGcpAuthClient } from './__fixtures__/gcp-test-auth.js';
import { convertToGcpRequestId } from './convert-to-gcp-instance.js';
import { createGcpProvider, type GcpProvider } from './gcp-provider.js';
import type { GcpProviderSettings } from './gcp-provider-settings.js';

let server: FakeGcpComputeServer;
const providers: GcpProvider[] = [];
let sequence = 0;

const noSleep = { sleep: async () => undefined };

function provider(extra: Partial<GcpProviderSettings> = {}): GcpProvider {
  const created = createGcpProvider({
    project: FAKE_GCP_DEFAULTS.project,
    endpoint: server.endpoint,
    authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
    timers: noSleep,
    region: FAKE_GCP_DEFAULTS.region,
    zone: FAKE_GCP_DEFAULTS.zone,
    maxInstances: 10,
    machineType: 'e2-standard-2',
    image: FAKE_GCP_DEFAULTS.image,
    ...extra,
  });
  providers.push(created);
  return created;
}

function createOptions(overrides: { pool?: string; key?: string; name?: string } = {}) {
  sequence += 1;
  const key = overrides.key ?? `hr-test-${sequence}`;
  return {
    name: overrides.name ?? `test-${sequence}`,
    idempotencyKey: key,
    tags: {
      [HEADROOM_TAGS.managedBy]: 'headroom-test',
      [HEADROOM_TAGS.pool]: overrides.pool ?? 'linux-agents',
      [HEADROOM_TAGS.autoscale]: 'business-hours',
      [HEADROOM_TAGS.intent]: key,
    },
    shape: { cores: 0, memoryMb: 0, gpus: 0 },
    startupScript: '#!/bin/bash\necho hi\n',
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  server = await startFakeGcpComputeServer({ maxPageSize: 2 });
  // Load the SDK in a hook (long timeout): its first load takes seconds on a busy machine.
  await provider().listInstances({ tags: { 'headroom-managed-by': 'warm-up' } });
});
beforeEach(() => server.reset());
afterAll(async () => {
  for (const created of providers) await created.close();
  await server.close();
});

describe('what the SDK sends for a complete config (request shape on the wire)', () => {
  test('insert carries every field, a UUID requestId and the bearer token', async () => {
    const gcp = provider({
      bootVolumeSizeGb: 50,
      diskType: 'pd-ssd',
      customerManagedEncryptionKey: 'projects/p/locations/us-east4/keyRings/r/cryptoKeys/k',
      network: FAKE_GCP_DEFAULTS.network,
      subnetwork: FAKE_GCP_DEFAULTS.subnetwork,
      publicIp: true,
      networkTags: ['headroom-agent'],
      labels: { team: 'platform' },
      metadata: [{ key: 'enable-oslogin', value: 'TRUE' }],
      serviceAccount: { email: 'agent@headroom-fake-1.iam.gserviceaccount.com' },
      guestAccelerators: [{ acceleratorType: 'nvidia-tesla-t4', acceleratorCount: 2 }],
      configOverride: { shieldedInstanceConfig: { enableSecureBoot: true } },
    });
    const options = createOptions({ pool: 'Linux.Agents' });
    const instance = await gcp.createInstance(options);
    const insert = server.requests.find((request) => request.route === 'instances.insert');
    expect(insert?.headers.authorization).toBe(`Bearer ${FAKE_GCP_DEFAULTS.accessToken}`);
    expect(insert?.path).toBe(`/compute/v1/projects/${FAKE_GCP_DEFAULTS.project}/zones/us-east4-b/instances`);
    expect(insert?.query.requestId).toBe(
      convertToGcpRequestId({ idempotencyKey: options.idempotencyKey, purpose: 'insert' }),
    );
    const labels = {
      team: 'platform',
      'headroom-managed-by': 'headroom-test',
      'headroom-pool': 'x__4cinux_2e_41gents',
      'headroom-autoscale': 'business-hours',
      'headroom-intent': options.idempotencyKey,
    };
    const body = insert?.body as Record<string, unknown>;
    expect(body.name).toBe(options.name);
    expect(body.machineType).toBe('zones/us-east4-b/machineTypes/e2-standard-2');
    expect(body.labels).toEqual(labels);
    // int64 fields travel as strings in the REST JSON encoding.
    expect(body.disks).toEqual([
      {
        boot: true,
        autoDelete: true,
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        initializeParams: {
          sourceImage: FAKE_GCP_DEFAULTS.image,
          diskSizeGb: '50',
          diskType: 'zones/us-east4-b/diskTypes/pd-ssd',
          labels,
          resourceManagerTags: {},
        },
        diskEncryptionKey: { kmsKeyName: 'projects/p/locations/us-east4/keyRings/r/cryptoKeys/k' },
      },
    ]);
    expect(body.networkInterfaces).toEqual([
      {
        network: FAKE_GCP_DEFAULTS.network,
        subnetwork: FAKE_GCP_DEFAULTS.subnetwork,
        accessConfigs: [{ name: 'External NAT', type: 'ONE_TO_ONE_NAT' }],
      },
    ]);
    expect(body.tags).toEqual({ items: ['headroom-agent'] });
    expect(body.metadata).toEqual({
      items: [
        { key: 'enable-oslogin', value: 'TRUE' },
        { key: 'startup-script', value: '#!/bin/bash\necho hi\n' },
      ],
    });
    expect(body.serviceAccounts).toEqual([
      {
        email: 'agent@headroom-fake-1.iam.gserviceaccount.com',
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
    ]);
    expect(body.guestAccelerators).toEqual([
      { acceleratorType: 'zones/us-east4-b/acceleratorTypes/nvidia-tesla-t4', acceleratorCount: 2 },
    ]);
    expect(body.scheduling).toEqual({ onHostMaintenance: 'TERMINATE', automaticRestart: true });
    expect(body.shieldedInstanceConfig).toEqual({ enableSecureBoot: true });
    // The result reads the tags back from the labels, and the addresses the fake assigned.
    expect(instance.tags).toEqual({ team: 'platform', ...options.tags });
    expect(instance.instanceId).toBe(`us-east4-b/${options.name}`);
    expect(instance.privateAddress).toMatch(/^10\.150\.0\.\d+$/);
    expect(instance.publicAddress).toMatch(/^203\.0\.113\.\d+$/);
    expect(instance.createdAt).toBe('2026-12-02T04:15:00.000Z');
    // Shape from the machine type (2 vCPU, 8 GiB) plus the attached GPUs.
    expect(instance.shape).toEqual({ cores: 2, memoryMb: 8192, gpus: 2 });
  });

  test('windows: the script goes under windows-startup-script-ps1', async () => {
    const gcp = provider({ osType: 'windows' });
    await gcp.createInstance({ ...createOptions(), startupScript: 'Write-Host hi' });
    const body = server.requests.find((request) => request.route === 'instances.insert')?.body as {
      metadata: unknown;
    };
    expect(body.metadata).toEqual({ items: [{ key: 'windows-startup-script-ps1', value: 'Write-Host hi' }] });
  });
});

describe('operations', () => {
  test('an insert is waited on until its operation is DONE', async () => {
    const slow = await startFakeGcpComputeServer({ pendingWaits: 3 });
    const sleeps: number[] = [];
    const gcp = createGcpProvider({
      project: FAKE_GCP_DEFAULTS.project,
      endpoint: slow.endpoint,
      authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
      timers: { sleep: async (ms) => void sleeps.push(ms) },
      region: 'us-east4',
      zone: 'us-east4-b',
      maxInstances: 1,
      machineType: 'e2-standard-2',
      image: FAKE_GCP_DEFAULTS.image,
    });
    try {
      const instance = await gcp.createInstance(createOptions());
      expect(instance.state).toBe('running');
      expect(slow.requests.filter((request) => request.route === 'zoneOperations.wait')).toHaveLength(4);
      expect(sleeps).toEqual([1000, 1000, 1000]);
      await gcp.destroyInstance({ instanceId: instance.instanceId });
      expect(slow.instances.size).toBe(0);
    } finally {
      await gcp.close();
      await slow.close();
    }
  });

  test('an operation that does not finish in time is a retryable error', async () => {
    const stuck = await startFakeGcpComputeServer({ pendingWaits: 1_000 });
    let nowMs = 0;
    const gcp = createGcpProvider({
      project: FAKE_GCP_DEFAULTS.project,
      endpoint: stuck.endpoint,
      authClient: createFakeGcpAuthClient(FAKE_GCP_DEFAULTS.accessToken),
      clock: { now: () => nowMs },
      timers: {
        sleep: async (ms) => {
          nowMs += ms;
        },
      },
      region: 'us-east4',
      zone: 'us-east4-b',
      maxInstances: 1,
      machineType: 'e2-standard-2',
      image: FAKE_GCP_DEFAULTS.image,
      operationTimeoutSeconds: 10,
    });
    try {
      const error = await rejection(gcp.createInstance(createOptions()));
      expect(ProviderApiError.isInstance(error) && error.isRetryable).toBe(true);
      expect(String((error as Error).message)).toMatch(/did not finish within 10 s/);
    } finally {
      await gcp.close();
      await stuck.close();
    }
  });

  test.each([
    ['ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS', 503, InsufficientCapacityError],
    ['ZONE_RESOURCE_POOL_EXHAUSTED', 503, InsufficientCapacityError],
    ['QUOTA_EXCEEDED', 403, QuotaExceededError],
  ] as const)('an insert operation that ends in %s', async (code, httpErrorStatusCode, errorClass) => {
    const gcp = provider();
    server.failNextOperation({ code, message: `${code}: the operation failed`, httpErrorStatusCode });
    const options = createOptions();
    const error = await rejection(gcp.createInstance(options));
    expect(errorClass.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`${code}: the operation failed`);
    expect(await gcp.listInstances({ tags: { [HEADROOM_TAGS.intent]: options.idempotencyKey } })).toEqual([]);
  });

  test('an operation ending in an internal error is retryable; in a bad request, a config error', async () => {
    const gcp = provider();
    server.failNextOperation({ code: 'INTERNAL_ERROR', message: 'try again', httpErrorStatusCode: 500 });
    const internal = await rejection(gcp.createInstance(createOptions()));
    expect(ProviderApiError.isInstance(internal) && internal.isRetryable).toBe(true);
    server.failNextOperation({ code: 'UNSUPPORTED_OPERATION', message: 'nope', httpErrorStatusCode: 400 });
    const unsupported = await rejection(gcp.createInstance(createOptions()));
    expect(InvalidProviderConfigError.isInstance(unsupported)).toBe(true);
  });
});

describe('after the insert', () => {
  test('an instance gone right after its insert finished is a non-retryable API error, not a config error', async () => {
    const gcp = provider();
    server.failNext({
      route: 'instances.get',
      fault: { status: 404, body: { error: { code: 404, message: 'not found', errors: [{ reason: 'notFound' }] } } },
    });
    const error = await rejection(gcp.createInstance(createOptions()));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 404, isRetryable: false });
    expect((error as Error).message).toMatch(/was inserted but is gone/);
  });
});

describe('idempotent create', () => {
  test('a retried create whose label lookup misses is answered by the requestId replay', async () => {
    const gcp = provider();
    const options = createOptions();
    const first = await gcp.createInstance(options);
    // The listing does not show it yet (eventual consistency): the same requestId returns the same operation.
    server.failNext({ route: 'instances.aggregatedList', fault: { status: 200, body: { items: {} } } });
    const second = await gcp.createInstance(options);
    expect(second.instanceId).toBe(first.instanceId);
    expect([...server.instances.keys()].filter((key) => key.endsWith(`/${options.name}`))).toHaveLength(1);
    const inserts = server.requests.filter((request) => request.route === 'instances.insert');
    expect(inserts.map((request) => request.query.requestId)).toEqual([
      inserts[0]?.query.requestId,
      inserts[0]?.query.requestId,
    ]);
  });

  test('a name taken by this intent counts as created; by another intent, it is a conflict', async () => {
    const gcp = provider();
    const options = createOptions();
    await gcp.createInstance(options);
    const otherKey = createOptions({ name: options.name });
    const error = await rejection(gcp.createInstance(otherKey));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect((error as ProviderApiError).statusCode).toBe(409);
    expect((error as ProviderApiError).isRetryable).toBe(false);
  });
});

describe('errors name the setting', () => {
  test.each([
    [{ image: 'projects/ubuntu-os-cloud/global/images/no-such-image' }, 'image'],
    [{ network: 'projects/headroom-fake-1/global/networks/nope' }, 'network'],
    [{ subnetwork: 'projects/headroom-fake-1/regions/us-east4/subnetworks/nope' }, 'subnetwork'],
    [{ machineType: 'e2-huge-999' }, 'machineType'],
    [{ diskType: 'pd-nope' }, 'diskType'],
    [{ guestAccelerators: [{ acceleratorType: 'nvidia-nope', acceleratorCount: 1 }] }, 'guestAccelerators'],
  ] as const)('%j → InvalidProviderConfigError(%s)', async (settings, field) => {
    const gcp = provider(settings as Partial<GcpProviderSettings>);
    const error = await rejection(gcp.createInstance(createOptions()));
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidProviderConfigError).field).toBe(field);
    expect((error as Error).cause).toBeDefined();
  });

  test('a refused token is a credentials error', async () => {
    const gcp = provider({ authClient: createFakeGcpAuthClient('wrong-token') });
    const error = await rejection(gcp.listInstances({ tags: {} }));
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidProviderConfigError).field).toBe('credentials');
  });

  test('a rate-limited list is retryable; a 503 is retryable and keeps its status', async () => {
    const gcp = provider();
    server.failNext({ route: 'instances.aggregatedList', fault: 'throttled' });
    const throttled = await rejection(gcp.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(throttled) && throttled.isRetryable && throttled.code).toBe('rateLimitExceeded');
    server.failNext({ route: 'instances.delete', fault: 'server-error' });
    const failed = await rejection(gcp.destroyInstance({ instanceId: 'us-east4-b/anything' }));
    expect(ProviderApiError.isInstance(failed) && failed.isRetryable && failed.statusCode).toBe(503);
  });
});

describe('listing', () => {
  test('lists across pages and zones, filtered by every tag, with states and shapes', async () => {
    const gcp = provider();
    const created: ProviderInstance[] = [];
    for (let index = 0; index < 3; index++)
      created.push(await gcp.createInstance(createOptions({ pool: 'Pool.Paged' })));
    await gcp.createInstance(createOptions({ pool: 'other' }));
    const listed = await gcp.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'Pool.Paged' } });
    expect(listed.map((instance) => instance.instanceId).sort()).toEqual(
      created.map((instance) => instance.instanceId).sort(),
    );
    for (const instance of listed) {
      expect(instance.tags[HEADROOM_TAGS.pool]).toBe('Pool.Paged');
      expect(instance.shape).toEqual({ cores: 2, memoryMb: 8192, gpus: 0 });
    }
    expect(server.requests.filter((request) => request.route === 'instances.aggregatedList').length).toBeGreaterThan(1);
    // A stopped (TERMINATED) instance still exists and is reported as failed, so that it gets replaced.
    const stopped = server.instances.get(created[0]?.instanceId ?? '');
    if (stopped) stopped.status = 'TERMINATED';
    const again = await gcp.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'Pool.Paged' } });
    expect(again.find((instance) => instance.instanceId === created[0]?.instanceId)?.state).toBe('failed');
  });

  test('an aborted listing rejects with the signal reason', async () => {
    const gcp = provider();
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(gcp.listInstances({ tags: {}, abortSignal: controller.signal })).rejects.toBe(reason);
  });
});
