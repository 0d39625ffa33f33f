import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type FakeKubevirtServer, startFakeKubevirtServer } from './fake-kubevirt-server.js';

// The fake speaks what client-node expects: checked with client-node itself, no adapter code.
let server: FakeKubevirtServer;
let custom: CustomObjectsApi;
let core: CoreV1Api;
const vm = { group: 'kubevirt.io', version: 'v1', namespace: 'headroom', plural: 'virtualmachines' };

const connect = (token: string) => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'fake', server: server.url, caData: Buffer.from(server.certificatePem ?? '').toString('base64') },
    ],
    users: [{ name: 'fake', token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return kubeConfig;
};

const rejection = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiException);
  const exception = error as ApiException<string>;
  return { code: exception.code, body: exception.body ? JSON.parse(exception.body) : undefined };
};

beforeAll(async () => {
  server = await startFakeKubevirtServer({ controller: false });
  custom = connect('fake-token').makeApiClient(CustomObjectsApi);
  core = connect('fake-token').makeApiClient(CoreV1Api);
});
afterAll(() => server.close());

describe('fake Kubernetes API', () => {
  test('create answers 201 with uid, resourceVersion, generation, creationTimestamp; a duplicate is 409 AlreadyExists', async () => {
    const body = {
      apiVersion: 'kubevirt.io/v1',
      kind: 'VirtualMachine',
      metadata: { name: 'vm-a', labels: { tier: 'gold' } },
      spec: {},
    };
    const created = await custom.createNamespacedCustomObject({ ...vm, body });
    expect(created.metadata).toMatchObject({ name: 'vm-a', namespace: 'headroom', generation: 1 });
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const duplicate = await rejection(custom.createNamespacedCustomObject({ ...vm, body }));
    expect(duplicate).toMatchObject({ code: 409, body: { kind: 'Status', reason: 'AlreadyExists', code: 409 } });
    expect(duplicate.body.message).toBe('virtualmachines.kubevirt.io "vm-a" already exists');
  });

  test('get of a missing object is 404 NotFound; a PUT with a stale resourceVersion is 409 Conflict', async () => {
    expect(await rejection(custom.getNamespacedCustomObject({ ...vm, name: 'nope' }))).toMatchObject({
      code: 404,
      body: { reason: 'NotFound' },
    });
    const current = await custom.getNamespacedCustomObject({ ...vm, name: 'vm-a' });
    const replaced = await custom.replaceNamespacedCustomObject({
      ...vm,
      name: 'vm-a',
      body: { ...current, spec: { runStrategy: 'Always' } },
    });
    expect(Number(replaced.metadata.resourceVersion)).toBeGreaterThan(Number(current.metadata.resourceVersion));
    const stale = await rejection(custom.replaceNamespacedCustomObject({ ...vm, name: 'vm-a', body: current }));
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
  });

  test('label selectors (equality, set, existence) and limit/continue paging', async () => {
    for (const [name, labels] of [
      ['s-1', { app: 'x', tier: 'a' }],
      ['s-2', { app: 'x', tier: 'b' }],
      ['s-3', { app: 'x' }],
      ['s-4', { app: 'y', tier: 'a' }],
    ] as const) {
      await core.createNamespacedSecret({ namespace: 'headroom', body: { metadata: { name, labels } } });
    }
    const names = async (labelSelector: string) =>
      (await core.listNamespacedSecret({ namespace: 'headroom', labelSelector })).items.map(
        (secret) => secret.metadata?.name,
      );
    expect(await names('app=x,tier')).toEqual(['s-1', 's-2']);
    expect(await names('app==x,!tier')).toEqual(['s-3']);
    expect(await names('tier in (a, b),app!=y')).toEqual(['s-1', 's-2']);
    expect(await names('tier notin (a)')).toEqual(['s-2', 's-3']);
    const first = await core.listNamespacedSecret({ namespace: 'headroom', limit: 3 });
    expect(first.items).toHaveLength(3);
    const second = await core.listNamespacedSecret({
      namespace: 'headroom',
      limit: 3,
      _continue: first.metadata?._continue as string,
    });
    expect(second.items.map((secret) => secret.metadata?.name)).toEqual(['s-4']);
    expect(second.metadata?._continue).toBeUndefined();
  });

  test('labels that are not label values are refused with 422 Invalid; a wrong token with 401', async () => {
    const invalid = await rejection(
      core.createNamespacedSecret({
        namespace: 'headroom',
        body: { metadata: { name: 'bad', labels: { a: 'has space' } } },
      }),
    );
    expect(invalid).toMatchObject({ code: 422, body: { reason: 'Invalid' } });
    const other = connect('wrong').makeApiClient(CoreV1Api);
    const unauthorized = await other.listNamespacedSecret({ namespace: 'headroom' }).catch((caught: unknown) => caught);
    expect((unauthorized as ApiException<unknown>).code).toBe(401);
  });

  test('deleting returns a Success Status and the object is gone', async () => {
    const deleted = await custom.deleteNamespacedCustomObject({ ...vm, name: 'vm-a' });
    expect(deleted).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(server.objects('virtualmachines')).toEqual([]);
  });
});
