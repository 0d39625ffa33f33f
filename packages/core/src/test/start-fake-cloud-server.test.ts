import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InsufficientCapacityError } from '../errors/insufficient-capacity-error.js';
import { InvalidProviderConfigError } from '../errors/invalid-provider-config-error.js';
import { ProviderApiError } from '../errors/provider-api-error.js';
import { HEADROOM_TAGS } from '../provider/tags.js';
import { createFakeHttpProvider } from './create-fake-http-provider.js';
import type { FakeCloudSnapshot } from './fake-cloud.js';
import { type FakeCloudServer, startFakeCloudServer } from './start-fake-cloud-server.js';
import { expectRejection } from './test-fixtures.js';

const shape = { cores: 2, memoryMb: 2048, gpus: 0 };
const createOptions = (key: string, pool = 'linux') => ({
  name: key,
  idempotencyKey: key,
  shape,
  startupScript: '#!/bin/sh\necho hello\n',
  tags: {
    [HEADROOM_TAGS.managedBy]: 'test',
    [HEADROOM_TAGS.pool]: pool,
    [HEADROOM_TAGS.autoscale]: 'default',
    [HEADROOM_TAGS.intent]: key,
  },
});

describe('startFakeCloudServer', () => {
  let directory: string;
  let statePath: string;
  const servers: FakeCloudServer[] = [];
  const start = async (options: Parameters<typeof startFakeCloudServer>[0] = {}) => {
    const server = await startFakeCloudServer({ statePath, ...options });
    servers.push(server);
    return server;
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'headroom-fake-cloud-test-'));
    statePath = join(directory, 'state.json');
  });
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('keeps its state in the JSON file across a restart, idempotency included', async () => {
    const first = await start();
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createFakeHttpProvider({ url: first.url });
    const created = await client.createInstance(createOptions('intent-1'));
    await client.upsertRecord({
      zone: 'example.test',
      name: 'a.example.test',
      type: 'A',
      value: '127.0.0.1',
      ttlSeconds: 60,
    });
    const onDisk = JSON.parse(await readFile(statePath, 'utf8')) as FakeCloudSnapshot;
    expect(onDisk.instances.map((record) => record.instanceId)).toEqual([created.instanceId]);
    await first.close();
    servers.splice(0);

    const second = await start();
    const restarted = createFakeHttpProvider({ url: second.url });
    expect((await restarted.listInstances({ tags: {} })).map((instance) => instance.instanceId)).toEqual([
      created.instanceId,
    ]);
    expect((await restarted.createInstance(createOptions('intent-1'))).instanceId).toBe(created.instanceId);
    const next = await restarted.createInstance(createOptions('intent-2'));
    expect(next.instanceId).not.toBe(created.instanceId);
    expect(await restarted.listRecords({ zone: 'example.test' })).toHaveLength(1);
    expect((await restarted.instanceRecord({ instanceId: created.instanceId }))?.startupScript).toBe(
      '#!/bin/sh\necho hello\n',
    );
    expect(await restarted.instanceRecord({ instanceId: 'missing' })).toBeUndefined();
  });

  test('records the most live instances per provider and per pool', async () => {
    const server = await start();
    const east = createFakeHttpProvider({ url: server.url, providerId: 'east' });
    const a1 = await east.createInstance(createOptions('a1', 'a'));
    const a2 = await east.createInstance(createOptions('a2', 'a'));
    await east.destroyInstance({ instanceId: a1.instanceId });
    await east.createInstance(createOptions('b1', 'b'));
    await east.destroyInstance({ instanceId: a2.instanceId });
    const stats = await east.stats();
    expect(stats.providers.east).toEqual({
      liveInstances: 1,
      maxLiveInstances: 2,
      createdInstances: 3,
      destroyedInstances: 2,
    });
    expect(stats.pools['east/a']).toMatchObject({ liveInstances: 0, maxLiveInstances: 2 });
    expect(stats.pools['east/b']).toMatchObject({ liveInstances: 1, maxLiveInstances: 1 });
    const plain = (await (await fetch(`${server.url}/stats`)).json()) as typeof stats;
    expect(plain).toEqual(stats);
  });

  test('a lost response creates the instance and resets the connection (retryable for the client)', async () => {
    const server = await start();
    const client = createFakeHttpProvider({ url: server.url });
    await client.injectFault({ fault: 'response-lost', operation: 'create' });
    const error = await expectRejection(client.createInstance(createOptions('lost')));
    expect(ProviderApiError.isInstance(error) && error.isRetryable && error.code === 'NetworkError').toBe(true);
    const listed = await client.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'lost' } });
    expect(listed).toHaveLength(1);
    expect((await client.createInstance(createOptions('lost'))).instanceId).toBe(listed[0]?.instanceId);
  });

  test('a timeout fault answers 504 after timeoutMs, a retryable error', async () => {
    const server = await start({ timeoutMs: 20 });
    const client = createFakeHttpProvider({ url: server.url });
    await client.injectFault({ fault: 'timeout', operation: 'list' });
    const error = await expectRejection(client.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && error.isRetryable && error.statusCode === 504).toBe(true);
  });

  test('the capacity cap and bad requests map to their error classes', async () => {
    const server = await start({ maxInstances: 1 });
    const client = createFakeHttpProvider({ url: server.url });
    await client.createInstance(createOptions('one'));
    expect(
      InsufficientCapacityError.isInstance(await expectRejection(client.createInstance(createOptions('two')))),
    ).toBe(true);
    const invalid = await expectRejection(client.createInstance({ ...createOptions('three'), name: '' }));
    expect(InvalidProviderConfigError.isInstance(invalid)).toBe(true);
  });

  test('probabilistic faults set over HTTP hit the matching calls', async () => {
    const server = await start({ seed: 3 });
    const client = createFakeHttpProvider({ url: server.url });
    await client.setFaultRates({ rates: { 'server-error': 1 }, operations: ['dns-list'] });
    expect(ProviderApiError.isInstance(await expectRejection(client.listRecords({ zone: 'example.test' })))).toBe(true);
    expect(await client.listInstances({ tags: {} })).toEqual([]);
    await client.setFaultRates({ rates: {} });
    expect(await client.listRecords({ zone: 'example.test' })).toEqual([]);
  });

  test('a server that is gone is a retryable network error', async () => {
    const server = await start();
    const client = createFakeHttpProvider({ url: server.url });
    await server.close();
    servers.splice(0);
    const error = await expectRejection(client.listInstances({ tags: {} }));
    expect(ProviderApiError.isInstance(error) && error.isRetryable && error.code === 'NetworkError').toBe(true);
  });

  test('listens on loopback only', async () => {
    await expect(startFakeCloudServer({ host: '0.0.0.0' })).rejects.toThrow(/loopback only/);
  });
});

const mainScript = join(dirname(fileURLToPath(import.meta.url)), '../../dist/test/fake-cloud-server-main.js');

describe.skipIf(!existsSync(mainScript))('fake-cloud-server-main (built)', () => {
  test('prints its URL first, serves the cloud, and stops on SIGTERM', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'headroom-fake-cloud-main-'));
    const statePath = join(directory, 'state.json');
    const child = spawn(process.execPath, [mainScript, '--port', '0', '--state', statePath, '--max-instances', '5'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const url = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`the server exited early with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = createFakeHttpProvider({ url });
      const created = await client.createInstance(createOptions('from-main'));
      expect(created.state).toBe('running');
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const onDisk = JSON.parse(await readFile(statePath, 'utf8')) as FakeCloudSnapshot;
      expect(onDisk.instances).toHaveLength(1);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(directory, { recursive: true, force: true });
    }
  });
});
