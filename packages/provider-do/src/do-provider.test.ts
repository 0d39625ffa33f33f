import {
  type Clock,
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
  type Timers,
} from '@headroom/core/provider';
import { captureRejection } from '@headroom/testkit';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FAKE_DO_DEFAULTS, type FakeDoServer, startFakeDoServer } from '../test/fake-do-server.js';
import { createDoDnsProvider } from './do-dns-provider.js';
import { createDoProvider } from './do-provider.js';
import type { DoProviderSettings } from './do-provider-settings.js';
import { encodeDoTag } from './do-tags.js';

const managedTags = {
  [HEADROOM_TAGS.managedBy]: 'headroom-prod',
  [HEADROOM_TAGS.pool]: 'linux agents',
  [HEADROOM_TAGS.autoscale]: 'business-hours',
  [HEADROOM_TAGS.intent]: 'intent_1',
};

const createOptions = (key = 'intent_1') => ({
  name: `agent-${key.replace(/_/g, '-')}`,
  idempotencyKey: key,
  tags: { ...managedTags, [HEADROOM_TAGS.intent]: key },
  shape: { cores: 2, memoryMb: 4096, gpus: 0 },
});

const rejection = (promise: Promise<unknown>) => captureRejection(promise, 'the call');

describe('createDoProvider against the API v2 fake', () => {
  let server: FakeDoServer;
  const settings = (overrides: Partial<DoProviderSettings> = {}): DoProviderSettings => ({
    endpoint: server.endpoint,
    token: FAKE_DO_DEFAULTS.token,
    maxInstances: 10,
    region: 'nyc1',
    size: 's-2vcpu-4gb',
    image: FAKE_DO_DEFAULTS.image,
    ...overrides,
  });

  beforeEach(async () => {
    server = await startFakeDoServer({ maxPageSize: 1 });
  });
  afterEach(() => server.close());

  test('the create request carries every setting, field by field', async () => {
    const provider = createDoProvider(
      settings({
        vpcUuid: FAKE_DO_DEFAULTS.vpcUuid,
        sshKeys: [FAKE_DO_DEFAULTS.sshKey.name, FAKE_DO_DEFAULTS.sshKey.fingerprint],
        tags: 'vdi, zone:abc123',
        firewallName: FAKE_DO_DEFAULTS.firewall.name,
        startupScript: '#!/bin/bash\necho default',
        ipv6: true,
        monitoring: true,
      }),
    );
    const instance = await provider.createInstance({ ...createOptions(), startupScript: '#!/bin/bash\necho hi' });
    const create = server.api.requests.find((request) => request.route === 'CreateDroplet');
    expect(create?.headers.authorization).toBe(`Bearer ${FAKE_DO_DEFAULTS.token}`);
    expect(create?.body).toEqual({
      name: 'agent-intent-1',
      region: 'nyc1',
      size: 's-2vcpu-4gb',
      image: FAKE_DO_DEFAULTS.image,
      ssh_keys: [FAKE_DO_DEFAULTS.sshKey.id, FAKE_DO_DEFAULTS.sshKey.fingerprint],
      backups: false,
      ipv6: true,
      monitoring: true,
      tags: [
        'headroom-managed-by:headroom-prod',
        'headroom-pool:linux_20agents',
        'headroom-autoscale:business-hours',
        'headroom-intent:intent_5F1',
        'vdi',
        'zone:abc123',
      ],
      user_data: '#!/bin/bash\necho hi',
      vpc_uuid: FAKE_DO_DEFAULTS.vpcUuid,
    });
    expect(server.firewallDropletIds.has(Number(instance.instanceId))).toBe(true);
    expect(instance).toMatchObject({
      name: 'agent-intent-1',
      state: 'pending',
      tags: expect.objectContaining(managedTags),
    });
    expect(instance.tags.vdi).toBe('');
  });

  test('the settings startup script is the default user data; none at all sends no user_data', async () => {
    await createDoProvider(settings({ startupScript: 'echo default' })).createInstance(createOptions('a'));
    await createDoProvider(settings()).createInstance(createOptions('b'));
    const bodies = server.api.requests
      .filter((request) => request.route === 'CreateDroplet')
      .map((request) => request.body as Record<string, unknown>);
    expect(bodies[0]?.user_data).toBe('echo default');
    expect(bodies[1]).not.toHaveProperty('user_data');
  });

  test('a second create with the key returns the droplet found by its intent tag, without creating', async () => {
    const provider = createDoProvider(settings());
    const first = await provider.createInstance(createOptions());
    const second = await createDoProvider(settings()).createInstance(createOptions());
    expect(second.instanceId).toBe(first.instanceId);
    expect(server.api.requests.filter((request) => request.route === 'CreateDroplet')).toHaveLength(1);
    const lookups = server.api.requests.filter((request) => request.route === 'ListDroplets');
    expect(lookups[0]?.query.tag_name).toBe(encodeDoTag(HEADROOM_TAGS.intent, 'intent_1'));
  });

  test('concurrent creates with one key make one droplet', async () => {
    const provider = createDoProvider(settings());
    const [left, right] = await Promise.all([
      provider.createInstance(createOptions()),
      provider.createInstance(createOptions()),
    ]);
    expect(left.instanceId).toBe(right.instanceId);
    expect(server.droplets.size).toBe(1);
  });

  test('listInstances pages through links.pages.next and filters by every tag', async () => {
    const provider = createDoProvider(settings());
    for (const key of ['k1', 'k2', 'k3']) await provider.createInstance(createOptions(key));
    await provider.createInstance({
      ...createOptions('k4'),
      tags: { ...createOptions('k4').tags, [HEADROOM_TAGS.pool]: 'other' },
    });
    server.api.reset();
    const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'linux agents' } });
    expect(listed.map((instance) => instance.tags[HEADROOM_TAGS.intent]).sort()).toEqual(['k1', 'k2', 'k3']);
    const pages = server.api.requests.filter((request) => request.route === 'ListDroplets');
    expect(pages.map((request) => request.query.page ?? '1')).toEqual(['1', '2', '3']);
    expect(pages[0]?.query.tag_name).toBe('headroom-pool:linux_20agents');
    expect(listed[0]?.state).toBe('pending');
    const [again] = await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'k1' } });
    expect(again).toMatchObject({
      state: 'running',
      shape: { cores: 2, memoryMb: 4096, gpus: 0 },
      privateAddress: expect.stringMatching(/^10\.116\./),
      publicAddress: expect.stringMatching(/^203\.0\.113\./),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test('a tag that does not exist yet is created, then the droplet is created', async () => {
    await server.close();
    server = await startFakeDoServer({ requireExistingTags: true });
    const instance = await createDoProvider(settings({ tags: ['vdi'] })).createInstance(createOptions());
    const routes = server.api.requests.map((request) => request.route);
    expect(routes.filter((route) => route === 'CreateDroplet')).toHaveLength(2);
    const created = server.api.requests
      .filter((request) => request.route === 'CreateTag')
      .map((request) => (request.body as { name: string }).name);
    expect(created).toEqual(expect.arrayContaining(['vdi', 'headroom-intent:intent_5F1']));
    expect(server.droplets.get(Number(instance.instanceId))?.tags).toContain('vdi');
  });

  test('destroy deletes the droplet; a missing droplet counts as destroyed', async () => {
    const provider = createDoProvider(settings());
    const instance = await provider.createInstance(createOptions());
    await provider.destroyInstance({ instanceId: instance.instanceId });
    expect(server.droplets.size).toBe(0);
    await provider.destroyInstance({ instanceId: instance.instanceId });
    await provider.destroyInstance({ instanceId: 'not-a-droplet-id' });
  });

  test('422 size unavailable is capacity, droplet limit is quota, 5xx is retryable', async () => {
    const provider = createDoProvider(settings({ size: 'c-2', region: 'nyc3' }));
    expect(InsufficientCapacityError.isInstance(await rejection(provider.createInstance(createOptions())))).toBe(true);
    await server.close();
    server = await startFakeDoServer({ dropletLimit: 1 });
    const limited = createDoProvider(settings());
    await limited.createInstance(createOptions('one'));
    expect(QuotaExceededError.isInstance(await rejection(limited.createInstance(createOptions('two'))))).toBe(true);
    server.failNext({ route: 'ListDroplets', fault: 'server-error' });
    const failure = await rejection(limited.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(failure) && failure.isRetryable && failure.statusCode).toBe(500);
  });

  test('a bad token names the setting and never shows the token', async () => {
    const error = await rejection(
      createDoProvider(settings({ token: 'dop_v1_wrong_secret' })).listInstances({ tags: {} }),
    );
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('token');
    expect(String((error as Error).message)).not.toContain('dop_v1_wrong_secret');
  });

  test('unknown SSH key and firewall names are config errors naming the field', async () => {
    const keyError = await rejection(
      createDoProvider(settings({ sshKeys: ['nobody'] })).createInstance(createOptions()),
    );
    expect(InvalidProviderConfigError.isInstance(keyError) && keyError.field).toBe('sshKeys');
    const firewallError = await rejection(
      createDoProvider(settings({ firewallName: 'missing' })).createInstance(createOptions('k2')),
    );
    expect(InvalidProviderConfigError.isInstance(firewallError) && firewallError.field).toBe('firewallName');
  });

  test('the token comes from DIGITALOCEAN_TOKEN when not set', async () => {
    process.env.DIGITALOCEAN_TOKEN = FAKE_DO_DEFAULTS.token;
    try {
      const { token: _, ...withoutToken } = settings();
      expect(await createDoProvider(withoutToken).listInstances({ tags: {} })).toEqual([]);
    } finally {
      delete process.env.DIGITALOCEAN_TOKEN;
    }
  });

  test('a next page on another host is refused (the token is never sent elsewhere)', async () => {
    const provider = createDoProvider({
      ...settings(),
      fetch: async () =>
        new Response(
          JSON.stringify({ droplets: [], links: { pages: { next: 'https://evil.example/v2/droplets?page=2' } } }),
          {
            status: 200,
          },
        ),
    });
    const error = await rejection(provider.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && error.message).toMatch(/another host \(evil\.example\)/);
  });
});

describe('rate limits', () => {
  let server: FakeDoServer;
  let nowMs = 1_800_000_000_000;
  const sleeps: number[] = [];
  const clock: Clock = { now: () => nowMs };
  const timers: Timers = {
    async sleep(ms) {
      sleeps.push(ms);
      nowMs += ms;
    },
  };

  beforeEach(async () => {
    sleeps.length = 0;
    server = await startFakeDoServer({ now: () => nowMs });
  });
  afterEach(() => server.close());

  const provider = (maxRateLimitWaitSeconds?: number) =>
    createDoProvider({
      endpoint: server.endpoint,
      token: FAKE_DO_DEFAULTS.token,
      maxInstances: 1,
      region: 'nyc1',
      size: 's-2vcpu-4gb',
      image: FAKE_DO_DEFAULTS.image,
      clock,
      timers,
      ...(maxRateLimitWaitSeconds === undefined ? {} : { maxRateLimitWaitSeconds }),
    });

  const throttle = (resetInSeconds: number) =>
    server.failNext({
      route: 'ListDroplets',
      fault: {
        status: 429,
        headers: {
          'ratelimit-remaining': '0',
          'ratelimit-reset': String(Math.floor(nowMs / 1000) + resetInSeconds),
        },
        body: { id: 'too_many_requests', message: 'API Rate limit exceeded.' },
      },
    });

  test('a 429 fails retryable, and the next call waits until ratelimit-reset', async () => {
    const adapter = provider();
    throttle(7);
    const error = await rejection(adapter.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && [error.statusCode, error.isRetryable]).toEqual([429, true]);
    expect(sleeps).toEqual([]);
    const before = server.api.requests.length;
    await adapter.listInstances({ tags: {} });
    expect(sleeps).toEqual([7000]);
    expect(server.api.requests.length).toBe(before + 1);
  });

  test('a reset further away than maxRateLimitWaitSeconds fails without a request', async () => {
    const adapter = provider(5);
    throttle(600);
    await rejection(adapter.listInstances({ tags: {} }));
    const before = server.api.requests.length;
    const error = await rejection(adapter.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && error.isRetryable).toBe(true);
    expect(server.api.requests.length).toBe(before);
    expect(sleeps).toEqual([]);
  });
});

describe('createDoDnsProvider request shapes', () => {
  test('names are relative to the domain, CNAME targets end with a dot, TTL is at least 30', async () => {
    const server = await startFakeDoServer({ domains: ['example.com', 'agents.example.com'] });
    try {
      const dns = createDoDnsProvider({ endpoint: server.endpoint, token: FAKE_DO_DEFAULTS.token });
      await dns.upsertRecord({
        zone: 'agents.example.com',
        name: 'agent-1.agents.example.com',
        type: 'A',
        value: '10.0.0.1',
        ttlSeconds: 5,
      });
      await dns.upsertRecord({
        zone: 'agents.example.com',
        name: 'alias.agents.example.com',
        type: 'CNAME',
        value: 'agent-1.agents.example.com',
        ttlSeconds: 60,
      });
      const posts = server.api.requests.filter((request) => request.route === 'CreateDomainRecord');
      expect(posts.map((request) => [request.path, request.body])).toEqual([
        ['/v2/domains/agents.example.com/records', { type: 'A', name: 'agent-1', data: '10.0.0.1', ttl: 30 }],
        [
          '/v2/domains/agents.example.com/records',
          { type: 'CNAME', name: 'alias', data: 'agent-1.agents.example.com.', ttl: 60 },
        ],
      ]);
      const fixed = createDoDnsProvider({
        endpoint: server.endpoint,
        token: FAKE_DO_DEFAULTS.token,
        domain: 'example.org',
      });
      const error = await rejection(fixed.listRecords({ zone: 'agents.example.com' }));
      expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('domain');
    } finally {
      await server.close();
    }
  });
});
