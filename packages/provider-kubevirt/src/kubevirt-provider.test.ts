import {
  HEADROOM_TAGS,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterEach, describe, expect, test } from 'vitest';
import { type FakeKubevirtServer, startFakeKubevirtServer } from '../test/fake-kubevirt-server.js';
import { kubevirtSettings, NAMESPACE, startKubevirtHarness } from './__fixtures__/kubevirt-harness.js';
import { createKubevirtProvider } from './kubevirt-provider.js';

/** Nested manifest JSON, read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: tests read nested manifest fields directly.
type Loose = any;

const servers: FakeKubevirtServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function harness(options: Parameters<typeof startKubevirtHarness>[0]) {
  const started = await startKubevirtHarness(options);
  servers.push(started.server);
  return started;
}

const managedTags = (intent: string, extra: Record<string, string> = {}) => ({
  [HEADROOM_TAGS.managedBy]: 'headroom-test',
  [HEADROOM_TAGS.pool]: 'agents',
  [HEADROOM_TAGS.autoscale]: 'day',
  [HEADROOM_TAGS.intent]: intent,
  ...extra,
});

const createOptions = (intent: string, extra: Record<string, string> = {}) => ({
  name: `agents-day-${intent}`,
  idempotencyKey: intent,
  tags: managedTags(intent, extra),
  shape: { cores: 2, memoryMb: 4096, gpus: 0 },
  startupScript: '#!/bin/bash\necho hello\n',
});

const old = '2026-01-01T00:00:00Z';

describe('createInstance: what is sent', () => {
  test('a cloud-init Secret (SSH key + script, multipart) then the VM, with labels, annotations and the bearer token', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    const instance = await provider.createInstance(createOptions('hr-0001'));
    expect(instance).toMatchObject({ instanceId: 'agents-day-hr-0001', name: 'agents-day-hr-0001', state: 'running' });
    expect(instance.privateAddress).toMatch(/^10\.244\.0\.\d+$/);
    expect(instance.shape).toEqual({ cores: 2, memoryMb: 4096, gpus: 0 });

    const posts = server.requests.filter((request) => request.method === 'POST');
    expect(posts.map((request) => request.path)).toEqual([
      `/api/v1/namespaces/${NAMESPACE}/secrets`,
      `/apis/kubevirt.io/v1/namespaces/${NAMESPACE}/virtualmachines`,
    ]);
    for (const request of server.requests) expect(request.headers.authorization).toBe('Bearer fake-token');

    const secret = posts[0]?.body as Loose;
    expect(secret.metadata.name).toBe('agents-day-hr-0001-secret');
    expect(secret.metadata.labels).toEqual({ ...managedTags('hr-0001'), 'headroom-instance': 'agents-day-hr-0001' });
    const userData = Buffer.from(secret.data.userdata, 'base64').toString('utf8');
    expect(userData).toContain('Content-Type: multipart/mixed');
    expect(userData).toContain(
      'ssh_authorized_keys:\n  - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHeadroomTestKey ops@example.com"',
    );
    expect(userData).toContain('Content-Type: text/x-shellscript');
    expect(userData).toContain('#!/bin/bash\necho hello\n');

    const virtualMachine = posts[1]?.body as Loose;
    expect(virtualMachine.metadata).toMatchObject({ name: 'agents-day-hr-0001', namespace: NAMESPACE });
    expect(JSON.parse(virtualMachine.metadata.annotations['headroom-tags'])).toEqual(managedTags('hr-0001'));
    expect(virtualMachine.metadata.annotations['headroom-name']).toBe('agents-day-hr-0001');
    expect(virtualMachine.spec.runStrategy).toBe('Always');
    expect(virtualMachine.spec.template.spec.hostname).toBe('agents-day-hr-0001');
    expect(virtualMachine.spec.template.spec.volumes.at(-1)).toEqual({
      name: 'config-drive-disk',
      cloudInitConfigDrive: { secretRef: { name: 'agents-day-hr-0001-secret' } },
    });
    expect(virtualMachine.spec.dataVolumeTemplates[0].spec.storage.storageClassName).toBe('fast-ssd');
  });

  test('tag values that are not label values are hashed in labels, kept exactly in the annotation, and still selectable', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    const awkward = { owner: 'Team Blue / VDI', note: 'x'.repeat(80), 'Not A Label Key!': 'kept' };
    const instance = await provider.createInstance(createOptions('hr-0002', awkward));
    const [stored] = server.objects('virtualmachines');
    expect(stored?.metadata.labels?.owner).toMatch(/^sha256\.[0-9a-f]{56}$/);
    expect(stored?.metadata.labels?.note).toMatch(/^sha256\.[0-9a-f]{56}$/);
    expect(stored?.metadata.labels).not.toHaveProperty('Not A Label Key!');
    expect(instance.tags).toEqual(managedTags('hr-0002', awkward));
    const listed = await provider.listInstances({ tags: { owner: 'Team Blue / VDI', 'Not A Label Key!': 'kept' } });
    expect(listed.map((found) => found.instanceId)).toEqual([instance.instanceId]);
    expect(await provider.listInstances({ tags: { owner: 'Team Red / VDI' } })).toEqual([]);
  });

  test('a name that is not a DNS label becomes one, derived from the intent', async () => {
    const { provider } = await harness({ flavour: 'kubevirt' });
    const instance = await provider.createInstance({ ...createOptions('hr-0003'), name: 'Agents_Day #3' });
    expect(instance.instanceId).toMatch(/^agents-day-3-[0-9a-f]{10}$/);
    expect(instance.name).toBe('Agents_Day #3');
  });
});

describe('createInstance: conflicts and refusals', () => {
  test('409 on a VM of the same name that another intent made is an error, and the VM is left alone', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    server.put('virtualmachines', {
      metadata: { name: 'agents-day-hr-0004', namespace: NAMESPACE, labels: { app: 'someone-else' } },
      spec: {},
    });
    const error = await provider.createInstance(createOptions('hr-0004')).catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(error) && error.code === 'AlreadyExists' && !error.isRetryable).toBe(true);
    expect(server.objects('virtualmachines').map((vm) => vm.metadata.labels)).toEqual([{ app: 'someone-else' }]);
    expect(server.objects('secrets')).toEqual([]);
  });

  test('a ResourceQuota on VM count refuses with QuotaExceededError and leaves no Secret', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt', server: { quota: { virtualmachines: 1 } } });
    await provider.createInstance(createOptions('hr-0005'));
    const error = await provider.createInstance(createOptions('hr-0006')).catch((caught: unknown) => caught);
    expect(QuotaExceededError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('exceeded quota');
    expect(server.objects('secrets').map((secret) => secret.metadata.name)).toEqual(['agents-day-hr-0005-secret']);
  });

  test('a launcher pod refused by a ResourceQuota (VM condition) is a QuotaExceededError and the VM is removed', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    server.failNextScheduling({ reason: 'quota' });
    const error = await provider.createInstance(createOptions('hr-0007')).catch((caught: unknown) => caught);
    expect(QuotaExceededError.isInstance(error)).toBe(true);
    expect(server.objects('virtualmachines')).toEqual([]);
    expect(server.objects('secrets')).toEqual([]);
    expect(server.objects('datavolumes')).toEqual([]);
    expect(server.objects('persistentvolumeclaims')).toEqual([]);
  });

  test('a VM without status is watched until schedulingTimeoutSeconds, on the injected clock, then returned pending', async () => {
    let nowMs = Date.parse('2026-12-01T00:00:00Z');
    const sleeps: number[] = [];
    const { provider } = await harness({
      flavour: 'kubevirt',
      server: { controller: false },
      settings: { schedulingTimeoutSeconds: 7 },
      runtime: {
        clock: { now: () => nowMs },
        timers: {
          sleep: async (ms) => {
            sleeps.push(ms);
            nowMs += ms;
          },
        },
      },
    });
    const instance = await provider.createInstance(createOptions('hr-0008'));
    expect(instance.state).toBe('pending');
    expect(sleeps).toEqual([2000, 2000, 2000, 1000]);
  });

  test('a wrong token is an InvalidProviderConfigError on apiToken that does not echo the token', async () => {
    const server = await startFakeKubevirtServer();
    servers.push(server);
    const provider = createKubevirtProvider(kubevirtSettings(server, { apiToken: 'wrong-secret-token' }));
    const error = await provider.listInstances({ tags: {} }).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(error) && error.field === 'apiToken').toBe(true);
    expect((error as Error).message).not.toContain('wrong-secret-token');
  });

  test('a namespace that does not exist is an InvalidProviderConfigError on namespace', async () => {
    const server = await startFakeKubevirtServer({ namespaces: ['other'] });
    servers.push(server);
    const provider = createKubevirtProvider(kubevirtSettings(server));
    const error = await provider.createInstance(createOptions('hr-0009')).catch((caught: unknown) => caught);
    expect(InvalidProviderConfigError.isInstance(error) && error.field === 'namespace').toBe(true);
  });

  test('a kubeconfig (inline YAML) connects as well as host + token', async () => {
    const server = await startFakeKubevirtServer();
    servers.push(server);
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{ name: lab, cluster: { server: "${server.url}", certificate-authority-data: ${Buffer.from(server.certificatePem ?? '').toString('base64')} } }]`,
      'users: [{ name: ops, user: { token: fake-token } }]',
      'contexts: [{ name: lab, context: { cluster: lab, user: ops } }]',
      'current-context: lab',
    ].join('\n');
    const { host: _host, apiToken: _token, certificateAuthorityData: _ca, ...rest } = kubevirtSettings(server);
    const provider = createKubevirtProvider({ ...rest, kubeconfig });
    const instance = await provider.createInstance(createOptions('hr-0010'));
    expect(
      (await provider.listInstances({ tags: { [HEADROOM_TAGS.intent]: 'hr-0010' } })).map((found) => found.instanceId),
    ).toEqual([instance.instanceId]);
  });
});

describe('destroyInstance and leftovers', () => {
  test('KubeVirt: deletes the VM, its VMI, its cloud-init Secret, its DataVolume and PVC, and nothing shared', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    server.put('persistentvolumeclaims', { metadata: { name: 'shared-data', namespace: NAMESPACE }, spec: {} });
    const instance = await provider.createInstance(createOptions('hr-0011'));
    expect(server.objects('datavolumes').map((object) => object.metadata.name)).toEqual(['agents-day-hr-0011-disk']);
    await provider.destroyInstance({ instanceId: instance.instanceId });
    expect(server.objects('virtualmachines')).toEqual([]);
    expect(server.objects('virtualmachineinstances')).toEqual([]);
    expect(server.objects('secrets')).toEqual([]);
    expect(server.objects('datavolumes')).toEqual([]);
    expect(server.objects('persistentvolumeclaims').map((object) => object.metadata.name)).toEqual(['shared-data']);
  });

  test('Harvester: deletes the PVC made from the volumeClaimTemplates annotation', async () => {
    const { server, provider } = await harness({ flavour: 'harvester' });
    const instance = await provider.createInstance(createOptions('hr-0012'));
    const [claim] = server.objects('persistentvolumeclaims');
    expect(claim?.metadata.annotations?.['harvesterhci.io/imageId']).toBe(`${NAMESPACE}/kasm-ubuntu-focal`);
    await provider.destroyInstance({ instanceId: instance.instanceId });
    expect(server.objects('persistentvolumeclaims')).toEqual([]);
    expect(server.objects('secrets')).toEqual([]);
  });

  test('leftover Secrets and PVCs of a gone VM are listed as one failed instance after the grace period, and destroy collects them', async () => {
    const nowMs = Date.parse('2026-12-01T12:00:00Z');
    const { server, provider } = await harness({ flavour: 'kubevirt', runtime: { clock: { now: () => nowMs } } });
    const tags = managedTags('hr-0013');
    const labels = { ...tags, 'headroom-instance': 'agents-day-hr-0013' };
    const annotations = { 'headroom-tags': JSON.stringify(tags), 'headroom-name': 'agents-day-hr-0013' };
    server.put('secrets', {
      metadata: {
        name: 'agents-day-hr-0013-secret',
        namespace: NAMESPACE,
        labels,
        annotations,
        creationTimestamp: old,
        uid: 'a',
      },
    });
    server.put('persistentvolumeclaims', {
      metadata: {
        name: 'agents-day-hr-0013-disk',
        namespace: NAMESPACE,
        labels,
        annotations,
        creationTimestamp: old,
        uid: 'b',
      },
    });
    // A Secret of a create in flight (younger than the grace period) is not a leftover.
    const young = { ...managedTags('hr-0014'), 'headroom-instance': 'agents-day-hr-0014' };
    server.put('secrets', {
      metadata: {
        name: 'agents-day-hr-0014-secret',
        namespace: NAMESPACE,
        labels: young,
        creationTimestamp: '2026-12-01T11:59:00Z',
        uid: 'c',
      },
    });

    const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: 'headroom-test' } });
    expect(listed).toEqual([
      {
        instanceId: 'agents-day-hr-0013',
        name: 'agents-day-hr-0013',
        state: 'failed',
        tags,
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
    await provider.destroyInstance({ instanceId: 'agents-day-hr-0013' });
    expect(server.objects('persistentvolumeclaims')).toEqual([]);
    expect(server.objects('secrets').map((secret) => secret.metadata.name)).toEqual(['agents-day-hr-0014-secret']);
    expect(await provider.listInstances({ tags: { [HEADROOM_TAGS.managedBy]: 'headroom-test' } })).toEqual([]);
  });

  test('objects without the headroom-managed-by label are never listed', async () => {
    const { server, provider } = await harness({ flavour: 'kubevirt' });
    server.put('virtualmachines', {
      metadata: { name: 'hand-made', namespace: NAMESPACE, labels: { app: 'x' } },
      spec: {},
    });
    expect(await provider.listInstances({ tags: {} })).toEqual([]);
  });
});
