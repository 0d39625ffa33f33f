import {
  HEADROOM_TAGS,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { captureRejection } from '@headroom/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  FAKE_OCI,
  type FakeOciServer,
  fakeOciDnsSettings,
  fakeOciProviderSettings,
  startFakeOciServer,
} from '../test/fake-oci-server.js';
import { createOciTestKey } from '../test/fake-oci-signature.js';
import { createOciDnsProvider } from './oci-dns-provider.js';
import { createOciProvider, ociRetryToken } from './oci-provider.js';
import type { OciProviderSettings } from './oci-provider-settings.js';

const [firstDomain, secondDomain] = FAKE_OCI.availabilityDomains;
let sequence = 0;

const createOptions = (key = `intent-${++sequence}`) => ({
  name: `agent-${key}`,
  idempotencyKey: key,
  tags: {
    [HEADROOM_TAGS.managedBy]: 'headroom-prod',
    [HEADROOM_TAGS.pool]: 'linux-agents',
    [HEADROOM_TAGS.autoscale]: 'business-hours',
    [HEADROOM_TAGS.intent]: key,
  },
  shape: { cores: 4, memoryMb: 16384, gpus: 0 },
});

const rejection = (promise: Promise<unknown>) => captureRejection(promise, 'the call');

describe('createOciProvider against the signature-verifying fake', () => {
  let server: FakeOciServer;
  const settings = (overrides: Partial<OciProviderSettings> = {}): OciProviderSettings => ({
    ...fakeOciProviderSettings(server),
    availabilityDomains: [secondDomain as string],
    ...overrides,
  });
  const launches = () => server.api.requests.filter((request) => request.route === 'LaunchInstance');

  beforeAll(async () => {
    server = await startFakeOciServer({ fullDomains: [firstDomain] });
  });
  afterAll(() => server.close());
  beforeEach(() => server.api.reset());

  test('the launch request carries every setting, field by field', async () => {
    const provider = createOciProvider(
      settings({
        availabilityDomains: [secondDomain],
        flexOcpus: 2,
        flexMemoryGb: 24,
        burstableBaselinePercent: 50,
        bootVolumeSizeGb: 100,
        bootVolumeVpusPerGb: 20,
        networkSecurityGroupOcids: [...FAKE_OCI.nsgOcids],
        assignPublicIp: false,
        sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA ops@example',
        customTags: { team: 'vdi' },
        startupScript: '#cloud-config\nruncmd: [echo default]',
      }),
    );
    const options = createOptions('shape-1');
    const instance = await provider.createInstance({ ...options, startupScript: '#!/bin/bash\necho hi' });
    const [launch] = launches();
    const managed = { ...options.tags, team: 'vdi' };
    expect(launch?.headers['opc-retry-token']).toBe(ociRetryToken('shape-1', secondDomain as string));
    expect(launch?.body).toEqual({
      compartmentId: FAKE_OCI.compartmentOcid,
      availabilityDomain: secondDomain,
      displayName: 'agent-shape-1',
      shape: 'VM.Standard.E5.Flex',
      shapeConfig: { ocpus: 2, memoryInGBs: 24, baselineOcpuUtilization: 'BASELINE_1_2' },
      sourceDetails: {
        sourceType: 'image',
        imageId: FAKE_OCI.imageOcid,
        bootVolumeSizeInGBs: 100,
        bootVolumeVpusPerGB: 20,
      },
      createVnicDetails: {
        subnetId: FAKE_OCI.subnetOcid,
        nsgIds: [...FAKE_OCI.nsgOcids],
        assignPublicIp: false,
        freeformTags: managed,
      },
      metadata: {
        ssh_authorized_keys: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA ops@example',
        user_data: Buffer.from('#!/bin/bash\necho hi').toString('base64'),
      },
      freeformTags: managed,
    });
    expect(instance).toMatchObject({ name: 'agent-shape-1', state: 'pending', tags: managed });
    expect(instance.shape).toEqual({ cores: 4, memoryMb: 24576, gpus: 0 });
  });

  test('out of host capacity moves on to the next availability domain, in order', async () => {
    const provider = createOciProvider(settings({ availabilityDomains: [firstDomain, secondDomain] as string[] }));
    const instance = await provider.createInstance(createOptions());
    expect(launches().map((request) => (request.body as { availabilityDomain: string }).availabilityDomain)).toEqual([
      firstDomain,
      secondDomain,
    ]);
    expect(server.instances.get(instance.instanceId)?.json.availabilityDomain).toBe(secondDomain);
  });

  test('capacity in no domain is InsufficientCapacityError naming the domains tried', async () => {
    const provider = createOciProvider(settings({ availabilityDomains: [firstDomain] as string[] }));
    const error = await rejection(provider.createInstance(createOptions()));
    expect(InsufficientCapacityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(firstDomain);
  });

  test('without configured domains, every domain of the region is tried (Identity API)', async () => {
    const provider = createOciProvider(settings({ availabilityDomains: [] }));
    await provider.createInstance(createOptions());
    expect(server.api.requests.some((request) => request.route === 'ListAvailabilityDomains')).toBe(true);
    expect(launches()).toHaveLength(2);
  });

  test('a create after a lost response finds the instance by its intent tag and launches nothing', async () => {
    const options = createOptions();
    const first = await createOciProvider(settings()).createInstance(options);
    server.api.reset();
    const second = await createOciProvider(settings()).createInstance(options);
    expect(second.instanceId).toBe(first.instanceId);
    expect(launches()).toHaveLength(0);
  });

  test('destroy terminates with the boot volume; listing shows addresses and drops terminated instances', async () => {
    const provider = createOciProvider(settings());
    const created = await provider.createInstance(createOptions());
    const [listed] = await provider.listInstances({
      tags: { [HEADROOM_TAGS.intent]: created.tags[HEADROOM_TAGS.intent] as string },
    });
    expect(listed).toMatchObject({
      instanceId: created.instanceId,
      privateAddress: expect.stringMatching(/^10\.0\./),
      publicAddress: expect.stringMatching(/^203\.0\.113\./),
      createdAt: expect.stringMatching(/Z$/),
    });
    await provider.destroyInstance({ instanceId: created.instanceId });
    const record = server.instances.get(created.instanceId);
    expect(record?.terminateQuery).toEqual({ preserveBootVolume: 'false' });
    expect(record?.bootVolume.deleted).toBe(true);
    const intent = { [HEADROOM_TAGS.intent]: created.tags[HEADROOM_TAGS.intent] as string };
    expect((await provider.listInstances({ tags: intent }))[0]?.state).toBe('stopping');
    expect(await provider.listInstances({ tags: intent })).toEqual([]);
    await provider.destroyInstance({ instanceId: 'ocid1.instance.oc1.iad.gone' });
  });

  test('LimitExceeded is quota; 429 and 5xx are retryable', async () => {
    const provider = createOciProvider(settings());
    server.failNext({ route: 'LaunchInstance', fault: 'quota-exceeded' });
    expect(QuotaExceededError.isInstance(await rejection(provider.createInstance(createOptions())))).toBe(true);
    for (const [fault, status] of [
      ['throttled', 429],
      ['server-error', 500],
    ] as const) {
      server.failNext({ route: 'ListInstances', fault });
      const error = await rejection(provider.listInstances({ tags: {} }));
      expect(ProviderApiError.isInstance(error) && [error.statusCode, error.isRetryable]).toEqual([status, true]);
    }
  });

  test('the seed config override examples reach the request as typed models', async () => {
    const provider = createOciProvider(
      settings({
        configOverride: {
          launch_instance_details: {
            instance_options: { OCI_MODEL_NAME: 'InstanceOptions', are_legacy_imds_endpoints_disabled: true },
            agent_config: {
              OCI_MODEL_NAME: 'LaunchInstanceAgentConfigDetails',
              is_monitoring_disabled: false,
              are_all_plugins_disabled: false,
              plugins_config: [
                {
                  OCI_MODEL_NAME: 'InstanceAgentPluginConfigDetails',
                  name: 'Vulnerability Scanning',
                  desired_state: 'ENABLED',
                },
              ],
            },
            shape_config: { memory_in_gbs: 32 },
            freeform_tags: { Cost_Center: '42', 'headroom-intent': 'spoofed' },
            display_name: 'overridden',
          },
        },
      }),
    );
    const options = createOptions();
    await provider.createInstance(options);
    const body = launches()[0]?.body as Record<string, unknown>;
    expect(body.instanceOptions).toEqual({ areLegacyImdsEndpointsDisabled: true });
    expect(body.agentConfig).toEqual({
      isMonitoringDisabled: false,
      areAllPluginsDisabled: false,
      pluginsConfig: [{ name: 'Vulnerability Scanning', desiredState: 'ENABLED' }],
    });
    expect(body.shapeConfig).toEqual({ ocpus: 1, memoryInGBs: 32 });
    expect(body.freeformTags).toEqual({ Cost_Center: '42', ...options.tags });
    expect(body.displayName).toBe(options.name);
  });

  test('a wrong signing key is refused by the fake and named as a config error, without the key', async () => {
    const other = createOciTestKey();
    const error = await rejection(
      createOciProvider(settings({ privateKey: other.privateKeyPem })).listInstances({ tags: {} }),
    );
    expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('privateKey');
    expect(server.refusedSignatures.at(-1)).toBe('signature does not verify');
    expect(String((error as Error).message)).not.toContain('PRIVATE KEY');
  });
});

describe('OCI signing with an encrypted key', () => {
  test('a passphrase-protected key signs requests the fake accepts', async () => {
    const key = createOciTestKey({ passphrase: 'correct horse' });
    const server = await startFakeOciServer({ key });
    try {
      const provider = createOciProvider({ ...fakeOciProviderSettings(server), privateKeyPassphrase: 'correct horse' });
      expect(await provider.listInstances({ tags: {} })).toEqual([]);
      expect(server.refusedSignatures).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('createOciDnsProvider request shapes', () => {
  test('upsert replaces the RRSet with a fully qualified CNAME target; delete removes it', async () => {
    const server = await startFakeOciServer({ zones: ['example.com'] });
    try {
      const dns = createOciDnsProvider(fakeOciDnsSettings(server));
      await dns.upsertRecord({
        zone: 'agents.example.com',
        name: 'a.agents.example.com',
        type: 'CNAME',
        value: 'b.example.com',
        ttlSeconds: 60,
      });
      const put = server.api.requests.find((request) => request.route === 'UpdateRRSet');
      expect(put?.path).toBe('/20180115/zones/example.com/records/a.agents.example.com/CNAME');
      expect(put?.query.compartmentId).toBe(FAKE_OCI.compartmentOcid);
      expect(put?.body).toEqual({
        items: [{ domain: 'a.agents.example.com', rtype: 'CNAME', rdata: 'b.example.com.', ttl: 60 }],
      });
      const listed = await dns.listRecords({ zone: 'agents.example.com' });
      expect(listed).toEqual([
        {
          zone: 'agents.example.com',
          name: 'a.agents.example.com',
          type: 'CNAME',
          value: 'b.example.com',
          ttlSeconds: 60,
        },
      ]);
      const fixed = createOciDnsProvider({ ...fakeOciDnsSettings(server), zoneName: 'example.org' });
      const error = await rejection(fixed.listRecords({ zone: 'agents.example.com' }));
      expect(InvalidProviderConfigError.isInstance(error) && error.field).toBe('zoneName');
    } finally {
      await server.close();
    }
  });
});
