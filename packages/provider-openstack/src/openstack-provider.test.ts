import {
  type Clock,
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
  type Timers,
} from '@headroom/core/provider';
import { afterEach, describe, expect, test } from 'vitest';
import {
  FAKE_OPENSTACK_DEFAULTS,
  type FakeOpenstackServer,
  startFakeOpenstackServer,
} from '../test/fake-openstack-server.js';
import { createOpenstackProvider } from './openstack-provider.js';
import type { OpenstackProviderSettings } from './openstack-provider-settings.js';

let fake: FakeOpenstackServer | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** A virtual clock whose sleeps advance it (no real waiting). */
function virtualTime(startMs = Date.now()): { clock: Clock; timers: Timers; advance(ms: number): void } {
  let now = startMs;
  return {
    clock: { now: () => now },
    timers: {
      async sleep(ms, abortSignal) {
        abortSignal?.throwIfAborted();
        now += ms;
      },
    },
    advance(ms) {
      now += ms;
    },
  };
}

async function setUp(overrides: Partial<OpenstackProviderSettings> = {}, tokenLifetimeMs?: number) {
  fake = await startFakeOpenstackServer(tokenLifetimeMs === undefined ? {} : { tokenLifetimeMs });
  const time = virtualTime();
  const provider = createOpenstackProvider({
    ...FAKE_OPENSTACK_DEFAULTS.settings(fake.url),
    clock: time.clock,
    timers: time.timers,
    ...overrides,
  });
  return { fake, provider, time };
}

const tags = (intent: string) => ({
  [HEADROOM_TAGS.managedBy]: 'test',
  [HEADROOM_TAGS.pool]: 'pool-a',
  [HEADROOM_TAGS.autoscale]: 'autoscale-a',
  [HEADROOM_TAGS.intent]: intent,
});
const create = (intent: string, startupScript?: string) => ({
  name: `agent-${intent}`,
  idempotencyKey: intent,
  tags: tags(intent),
  shape: { cores: 2, memoryMb: 4096, gpus: 0 },
  ...(startupScript === undefined ? {} : { startupScript }),
});

describe('POST /servers request shape', () => {
  test('every setting lands in its Nova field, with Headroom metadata and the microversion header', async () => {
    const { fake, provider } = await setUp({
      securityGroups: ['default', 'kasm'],
      keyName: 'headroom-key',
      availabilityZone: 'zone-b',
      configDrive: true,
      metadata: { team: 'workspaces' },
      novaVersion: '2.74',
      configOverride: {
        description: 'Kasm agent',
        'os:scheduler_hints': { group: 'g-1' },
        metadata: { from: 'override' },
      },
    });
    const instance = await provider.createInstance(create('intent-1', '#!/bin/sh\necho hi\n'));
    const post = fake.server.requests.find((request) => request.route === 'POST servers');
    expect(post?.headers['openstack-api-version']).toBe('compute 2.74');
    expect(post?.headers['x-openstack-nova-api-version']).toBe('2.74');
    expect(post?.body).toEqual({
      server: {
        name: 'agent-intent-1',
        flavorRef: '3',
        imageRef: FAKE_OPENSTACK_DEFAULTS.imageId,
        networks: [{ uuid: FAKE_OPENSTACK_DEFAULTS.networkId }],
        security_groups: [{ name: 'default' }, { name: 'kasm' }],
        key_name: 'headroom-key',
        availability_zone: 'zone-b',
        config_drive: true,
        user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
        description: 'Kasm agent',
        metadata: { from: 'override', team: 'workspaces', ...tags('intent-1') },
        min_count: 1,
        max_count: 1,
      },
      'os:scheduler_hints': { group: 'g-1' },
    });
    expect(instance).toMatchObject({
      name: 'agent-intent-1',
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      privateAddress: expect.stringMatching(/^10\.0\.0\./),
      tags: { team: 'workspaces', ...tags('intent-1') },
    });
  });

  test('networkId none and auto are sent as Nova strings; the settings startup script is the fallback', async () => {
    const { fake, provider } = await setUp({ networkId: 'none', startupScript: 'fallback' });
    await provider.createInstance(create('intent-none'));
    const body = fake.server.requests.find((request) => request.route === 'POST servers')?.body as {
      server: Record<string, unknown>;
    };
    expect(body.server.networks).toBe('none');
    expect(body.server.user_data).toBe(Buffer.from('fallback').toString('base64'));
  });

  test('createVolume boots from a Cinder volume created from the image, with size, type and metadata', async () => {
    const { fake, provider } = await setUp({
      createVolume: true,
      volumeSizeGb: 30,
      volumeType: 'ssd',
      availabilityZone: 'nova',
    });
    const instance = await provider.createInstance(create('intent-volume'));
    const volumePost = fake.server.requests.find(
      (request) => request.method === 'POST' && request.path.endsWith('/volumes'),
    );
    expect(volumePost?.path).toBe(`/volume/v3/${FAKE_OPENSTACK_DEFAULTS.projectId}/volumes`);
    expect(volumePost?.body).toEqual({
      volume: {
        name: 'agent-intent-volume-boot',
        size: 30,
        imageRef: FAKE_OPENSTACK_DEFAULTS.imageId,
        volume_type: 'ssd',
        availability_zone: 'nova',
        metadata: tags('intent-volume'),
      },
    });
    const [volume] = [...fake.volumes.values()];
    const server = fake.servers.get(instance.instanceId);
    expect(server?.request.server).toMatchObject({
      block_device_mapping_v2: [
        {
          boot_index: 0,
          uuid: volume?.id,
          source_type: 'volume',
          destination_type: 'volume',
          delete_on_termination: true,
        },
      ],
    });
    expect((server?.request.server as Record<string, unknown> | undefined)?.imageRef).toBeUndefined();
    expect(server).toBeDefined();
    await provider.destroyInstance({ instanceId: instance.instanceId });
    expect(fake.volumes.size).toBe(0);
  });

  test('a create refused after its boot volume was made deletes the volume', async () => {
    const { fake, provider } = await setUp({ createVolume: true, volumeSizeGb: 30 });
    fake.failNextCreate('quota-exceeded');
    await expect(provider.createInstance(create('intent-refused'))).rejects.toSatisfy(QuotaExceededError.isInstance);
    expect(fake.volumes.size).toBe(0);
  });
});

describe('Nova states and errors', () => {
  test("a server that goes to ERROR is a failed instance carrying Nova's fault message", async () => {
    const { fake, provider } = await setUp();
    fake.failNextBuild('Build of instance aborted: Failed to allocate the network(s), not rescheduling.');
    const instance = await provider.createInstance(create('intent-error'));
    expect(instance.state).toBe('failed');
    expect(instance.faultMessage).toBe(
      'Build of instance aborted: Failed to allocate the network(s), not rescheduling.',
    );
    const [listed] = await provider.listInstances({ tags: tags('intent-error') });
    expect(listed?.faultMessage).toBe(instance.faultMessage);
  });

  test('No valid host is a capacity error, and the refused server is deleted', async () => {
    const { fake, provider } = await setUp();
    fake.failNextBuild();
    const error = await provider.createInstance(create('intent-capacity')).catch((caught: unknown) => caught);
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toContain('No valid host was found');
    expect(fake.servers.size).toBe(0);
  });

  test('413 is a quota error; 429 and 5xx are retryable', async () => {
    const { fake, provider } = await setUp();
    fake.server.failNext({
      route: 'POST servers',
      fault: { status: 413, body: { overLimit: { code: 413, message: 'Maximum number of ports exceeded' } } },
    });
    await expect(provider.createInstance(create('a'))).rejects.toSatisfy(QuotaExceededError.isInstance);
    fake.server.failNext({ route: 'GET servers', fault: { status: 503, body: 'Service Unavailable' } });
    const unavailable = await provider.listInstances({ tags: {} }).catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(unavailable) && unavailable.isRetryable && unavailable.statusCode).toBe(503);
  });

  test('an unknown image or flavor is an InvalidProviderConfigError naming the setting', async () => {
    const { provider } = await setUp({ imageId: 'missing-image' });
    const imageError = await provider.createInstance(create('b')).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(imageError) && imageError.field).toBe('imageId');
    const { provider: other } = await setUp({ flavor: 'm1.huge' });
    const flavorError = await other.createInstance(create('c')).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(flavorError) && flavorError.field).toBe('flavor');
  });

  test('wrong credentials name the secret setting and never show the secret', async () => {
    const { provider } = await setUp({ applicationCredentialSecret: 'not-the-secret-value' });
    const error = await provider.listInstances({ tags: {} }).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('applicationCredentialSecret');
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain(
      'not-the-secret-value',
    );
  });

  test('destroy waits until Nova no longer shows the server', async () => {
    const { fake, provider } = await setUp();
    const instance = await provider.createInstance(create('d'));
    await provider.destroyInstance({ instanceId: instance.instanceId });
    expect(fake.servers.has(instance.instanceId)).toBe(false);
  });
});

describe('Keystone tokens', () => {
  test('a token is renewed before it expires, by the injected clock', async () => {
    const { fake, provider, time } = await setUp({}, 3_600_000);
    await provider.listInstances({ tags: {} });
    await provider.listInstances({ tags: {} });
    expect(fake.issuedTokens).toHaveLength(1);
    time.advance(3_600_000 - 30_000);
    await provider.listInstances({ tags: {} });
    expect(fake.issuedTokens).toHaveLength(2);
    const lastList = fake.server.requests.filter((request) => request.route === 'GET servers').at(-1);
    expect(lastList?.headers['x-auth-token']).toBe(fake.issuedTokens[1]);
  });

  test('a revoked token (401) is replaced once and the call succeeds', async () => {
    const { fake, provider } = await setUp();
    await provider.listInstances({ tags: {} });
    fake.revokeAllTokens();
    await expect(provider.listInstances({ tags: {} })).resolves.toEqual([]);
    expect(fake.issuedTokens).toHaveLength(2);
  });

  test('password authentication scopes the token to the project and domains', async () => {
    const { fake, provider } = await setUp({
      authenticationMethod: 'password',
      applicationCredentialId: undefined,
      applicationCredentialSecret: undefined,
      username: FAKE_OPENSTACK_DEFAULTS.username,
      password: FAKE_OPENSTACK_DEFAULTS.password,
      projectName: 'headroom',
      projectDomainName: 'Projects',
      userDomainName: 'Users',
    });
    await provider.listInstances({ tags: {} });
    expect(fake.server.requests[0]?.body).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: 'headroom', domain: { name: 'Users' }, password: FAKE_OPENSTACK_DEFAULTS.password },
          },
        },
        scope: { project: { name: 'headroom', domain: { name: 'Projects' } } },
      },
    });
  });
});
