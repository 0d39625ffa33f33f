import { constants, generateKeyPairSync, publicEncrypt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HEADROOM_TAGS,
  InstanceNotFoundError,
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { FAKE_AWS_DEFAULTS, type FakeAwsServer, startFakeAwsServer } from '../test/fake-aws-server.js';
import { type AwsProvider, createAwsProvider } from './aws-provider.js';
import type { AwsProviderSettings } from './aws-provider-settings.js';

let server: FakeAwsServer;
const providers: AwsProvider[] = [];

beforeEach(async () => {
  server = await startFakeAwsServer({ maxPageSize: 2 });
});

afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.close();
  await server.close();
  vi.unstubAllEnvs();
});

function baseSettings(): AwsProviderSettings {
  return {
    region: FAKE_AWS_DEFAULTS.region,
    endpoint: server.endpoint,
    accessKeyId: FAKE_AWS_DEFAULTS.accessKeyId,
    secretAccessKey: FAKE_AWS_DEFAULTS.secretAccessKey,
    amiId: FAKE_AWS_DEFAULTS.amiId,
    instanceType: 't3.medium',
    maxInstances: 10,
  };
}

function makeProvider(overrides: Partial<AwsProviderSettings> = {}): AwsProvider {
  const provider = createAwsProvider({ ...baseSettings(), ...overrides } as AwsProviderSettings);
  providers.push(provider);
  return provider;
}

function headroomTags(intent: string, pool = 'linux-agents'): Record<string, string> {
  return {
    [HEADROOM_TAGS.managedBy]: 'headroom-test',
    [HEADROOM_TAGS.pool]: pool,
    [HEADROOM_TAGS.autoscale]: 'business-hours',
    [HEADROOM_TAGS.intent]: intent,
  };
}

function createOptions(intent: string, overrides: { pool?: string; startupScript?: string } = {}) {
  return {
    name: `agent-${intent}`,
    idempotencyKey: intent,
    tags: headroomTags(intent, overrides.pool),
    shape: { cores: 4, memoryMb: 8192, gpus: 0 },
    ...(overrides.startupScript === undefined ? {} : { startupScript: overrides.startupScript }),
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('RunInstances request for a full config', () => {
  test('sends every setting, the override and the tags on instance and volume, field by field', async () => {
    const provider = makeProvider({
      subnetId: FAKE_AWS_DEFAULTS.subnetId,
      securityGroupIds: [...FAKE_AWS_DEFAULTS.securityGroupIds],
      ebsVolumeSizeGb: 64,
      ebsVolumeType: 'gp3',
      iamInstanceProfile: 'headroom-agent-profile',
      keyPairName: FAKE_AWS_DEFAULTS.keyPairName,
      customTags: { team: 'platform', 'cost-center': '42' },
      startupScript: '#!/bin/sh\necho provider-default\n',
      configOverride: {
        EbsOptimized: true,
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
        ClientToken: 'override-must-lose',
        MinCount: 3,
        MaxCount: 3,
        TagSpecifications: [
          { ResourceType: 'network-interface', Tags: [{ Key: 'eni', Value: 'yes' }] },
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'from-override', Value: 'kept' },
              { Key: HEADROOM_TAGS.pool, Value: 'override-must-lose' },
            ],
          },
        ],
      },
    });
    const script = '#!/bin/bash\necho "héllo {agent}" > /tmp/agent\n';
    const instance = await provider.createInstance(createOptions('intent-full-1', { startupScript: script }));

    const [describeImages] = server.requestsOf('DescribeImages');
    expect(describeImages?.params.ImageId).toEqual([FAKE_AWS_DEFAULTS.amiId]);
    const runRequests = server.requestsOf('RunInstances');
    expect(runRequests).toHaveLength(1);
    const params = runRequests[0]?.params as Record<string, unknown>;
    expect(params.Action).toBe('RunInstances');
    expect(params.Version).toBe('2016-11-15');
    expect(params.ImageId).toBe(FAKE_AWS_DEFAULTS.amiId);
    expect(params.InstanceType).toBe('t3.medium');
    expect(params.MinCount).toBe('1');
    expect(params.MaxCount).toBe('1');
    expect(params.ClientToken).toBe('intent-full-1');
    expect(params.KeyName).toBe(FAKE_AWS_DEFAULTS.keyPairName);
    expect(params.SubnetId).toBe(FAKE_AWS_DEFAULTS.subnetId);
    expect(params.SecurityGroupId).toEqual([...FAKE_AWS_DEFAULTS.securityGroupIds]);
    expect(params.IamInstanceProfile).toEqual({ Name: 'headroom-agent-profile' });
    expect(Buffer.from(params.UserData as string, 'base64').toString('utf8')).toBe(script);
    expect(params.BlockDeviceMapping).toEqual([
      { DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: 'true', VolumeSize: '64', VolumeType: 'gp3' } },
    ]);
    expect(params.EbsOptimized).toBe('true');
    expect(params.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: '2' });

    const expectedTags = {
      team: 'platform',
      'cost-center': '42',
      Name: 'agent-intent-full-1',
      ...headroomTags('intent-full-1'),
    };
    const specifications = params.TagSpecification as { ResourceType: string; Tag: { Key: string; Value: string }[] }[];
    const tagsOf = (resourceType: string) =>
      Object.fromEntries(
        (specifications.find((specification) => specification.ResourceType === resourceType)?.Tag ?? []).map((tag) => [
          tag.Key,
          tag.Value,
        ]),
      );
    expect(specifications.map((specification) => specification.ResourceType)).toEqual([
      'network-interface',
      'instance',
      'volume',
    ]);
    expect(tagsOf('network-interface')).toEqual({ eni: 'yes' });
    expect(tagsOf('instance')).toEqual({ 'from-override': 'kept', ...expectedTags });
    expect(tagsOf('volume')).toEqual(expectedTags);

    // The fake stored what EC2 would: tags on the instance and on its root volume.
    const stored = server.instances.find((candidate) => candidate.instanceId === instance.instanceId);
    expect(stored?.tags[HEADROOM_TAGS.intent]).toBe('intent-full-1');
    expect(stored?.volumes[0]).toMatchObject({ sizeGb: 64, volumeType: 'gp3', tags: expectedTags });

    // The SDK signed the request with SigV4 for ec2 in the configured region.
    expect(String(runRequests[0]?.headers.authorization)).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/ec2\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/,
    );
    expect(instance).toMatchObject({
      name: 'agent-intent-full-1',
      state: 'pending',
      shape: { cores: 4, memoryMb: 8192, gpus: 0 },
      privateAddress: stored?.privateIpAddress,
    });
  });

  test('an IAM instance profile ARN is sent as Arn, and the settings startup script applies when the call has none', async () => {
    const arn = 'arn:aws:iam::123456789012:instance-profile/agents';
    const provider = makeProvider({ iamInstanceProfile: arn, startupScript: '#!/bin/sh\necho default\n' });
    await provider.createInstance(createOptions('intent-arn'));
    const params = server.requestsOf('RunInstances')[0]?.params as Record<string, unknown>;
    expect(params.IamInstanceProfile).toEqual({ Arn: arn });
    expect(Buffer.from(params.UserData as string, 'base64').toString('utf8')).toBe('#!/bin/sh\necho default\n');
    expect(params.BlockDeviceMapping).toBeUndefined();
    expect(server.requestsOf('DescribeImages')).toHaveLength(0);
  });

  test('an idempotency key longer than 64 characters becomes its SHA-256 ClientToken, stable across calls', async () => {
    const provider = makeProvider();
    const key = `intent-${'x'.repeat(100)}`;
    const first = await provider.createInstance({ ...createOptions('long'), idempotencyKey: key });
    const second = await provider.createInstance({ ...createOptions('long'), idempotencyKey: key });
    const tokens = server.requestsOf('RunInstances').map((request) => request.params.ClientToken);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens[1]).toBe(tokens[0]);
    expect(second.instanceId).toBe(first.instanceId);
    expect(server.instances).toHaveLength(1);
  });
});

describe('idempotency', () => {
  test('the same key with different parameters is a non-retryable IdempotentParameterMismatch', async () => {
    const provider = makeProvider();
    const first = await provider.createInstance(createOptions('same-key', { startupScript: 'echo one' }));
    const again = await provider.createInstance(createOptions('same-key', { startupScript: 'echo one' }));
    expect(again.instanceId).toBe(first.instanceId);
    const error = await rejectionOf(provider.createInstance(createOptions('same-key', { startupScript: 'echo two' })));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'IdempotentParameterMismatch', isRetryable: false });
    expect(server.instances).toHaveLength(1);
  });
});

describe('startup script limit', () => {
  test('accepts exactly 16384 bytes', async () => {
    const provider = makeProvider();
    await provider.createInstance(createOptions('limit-ok', { startupScript: 'a'.repeat(16384) }));
    expect(server.requestsOf('RunInstances')).toHaveLength(1);
  });

  test('refuses 16385 bytes (counted in UTF-8, before base64) without calling EC2', async () => {
    const provider = makeProvider();
    // 8193 characters, 16386 bytes.
    const error = await rejectionOf(
      provider.createInstance(createOptions('limit-over', { startupScript: 'é'.repeat(8193) })),
    );
    expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidProviderConfigError).field).toBe('startupScript');
    expect((error as Error).message).toContain('16386 bytes');
    expect(server.requests).toHaveLength(0);
  });
});

describe('listInstances', () => {
  test('filters by tags, follows NextToken, excludes terminated and shutting-down instances', async () => {
    const provider = makeProvider();
    const created = [];
    for (let index = 0; index < 5; index++) {
      created.push(await provider.createInstance(createOptions(`list-${index}`)));
    }
    await provider.createInstance(createOptions('other-pool', { pool: 'windows-servers' }));
    await provider.destroyInstance({ instanceId: created[0]?.instanceId as string });

    const listed = await provider.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'linux-agents' } });
    expect(listed.map((instance) => instance.instanceId).sort()).toEqual(
      created
        .slice(1)
        .map((instance) => instance.instanceId)
        .sort(),
    );
    const describeRequests = server.requestsOf('DescribeInstances');
    // maxPageSize 2: four live instances of the pool and the shutting-down one filtered out server-side.
    expect(describeRequests.length).toBeGreaterThanOrEqual(2);
    expect(describeRequests[0]?.params.Filter).toEqual([
      { Name: `tag:${HEADROOM_TAGS.pool}`, Value: ['linux-agents'] },
      { Name: 'instance-state-name', Value: ['pending', 'running', 'stopping', 'stopped'] },
    ]);
    expect(describeRequests[0]?.params.MaxResults).toBe('1000');
    expect(describeRequests[0]?.params.NextToken).toBeUndefined();
    expect(describeRequests[1]?.params.NextToken).toEqual(expect.any(String));
    for (const instance of listed) {
      expect(instance).toMatchObject({
        state: 'running',
        shape: { cores: 2, memoryMb: 4096, gpus: 0 },
        tags: expect.objectContaining({ [HEADROOM_TAGS.pool]: 'linux-agents', Name: instance.name }),
      });
      expect(instance.publicAddress).toMatch(/^54\./);
      expect(Number.isNaN(Date.parse(instance.createdAt as string))).toBe(false);
    }
  });

  test('instance shapes come from DescribeInstanceTypes, once per type (cached), GPUs included', async () => {
    const provider = makeProvider({ instanceType: 'g4dn.xlarge' });
    const created = await provider.createInstance({
      ...createOptions('gpu'),
      shape: { cores: 0, memoryMb: 0, gpus: 0 },
    });
    expect(created.shape).toEqual({ cores: 4, memoryMb: 16384, gpus: 1 });
    await provider.listInstances({ tags: headroomTags('gpu') });
    const listed = await provider.listInstances({ tags: headroomTags('gpu') });
    expect(listed[0]?.shape).toEqual({ cores: 4, memoryMb: 16384, gpus: 1 });
    const typeRequests = server.requestsOf('DescribeInstanceTypes');
    expect(typeRequests).toHaveLength(1);
    expect(typeRequests[0]?.params.InstanceType).toEqual(['g4dn.xlarge']);
  });

  test('a tag value with EC2 filter wildcards matches literally', async () => {
    const provider = makeProvider();
    await provider.createInstance(createOptions('wild', { pool: 'pool-a' }));
    expect(await provider.listInstances({ tags: { [HEADROOM_TAGS.pool]: 'pool-*' } })).toEqual([]);
    const filter = server.requestsOf('DescribeInstances')[0]?.params.Filter as { Value: string[] }[];
    expect(filter[0]?.Value).toEqual(['pool-\\*']);
  });
});

describe('destroyInstance', () => {
  test('terminates, and succeeds for terminated, unknown and malformed ids', async () => {
    const provider = makeProvider();
    const instance = await provider.createInstance(createOptions('destroy'));
    await provider.destroyInstance({ instanceId: instance.instanceId });
    await provider.listInstances({ tags: {} });
    expect(server.instances[0]?.state).toBe('terminated');
    await provider.destroyInstance({ instanceId: instance.instanceId });
    await provider.destroyInstance({ instanceId: 'i-0123456789abcdef0' });
    await provider.destroyInstance({ instanceId: 'not-an-instance-id' });
    expect(server.requestsOf('TerminateInstances').map((request) => request.params.InstanceId)).toEqual([
      [instance.instanceId],
      [instance.instanceId],
      ['i-0123456789abcdef0'],
      ['not-an-instance-id'],
    ]);
  });

  test('a throttled terminate is a retryable ProviderApiError, not a silent success', async () => {
    const provider = makeProvider();
    server.failNext({ action: 'TerminateInstances', fault: 'throttled' });
    const error = await rejectionOf(provider.destroyInstance({ instanceId: 'i-0123456789abcdef0' }));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, code: 'RequestLimitExceeded', statusCode: 503 });
  });
});

describe('error mapping through the SDK', () => {
  const cases = [
    { code: 'InsufficientInstanceCapacity', statusCode: 500, expected: InsufficientCapacityError },
    { code: 'InsufficientHostCapacity', statusCode: 500, expected: InsufficientCapacityError },
    { code: 'InstanceLimitExceeded', statusCode: 400, expected: QuotaExceededError },
    { code: 'VcpuLimitExceeded', statusCode: 400, expected: QuotaExceededError },
    { code: 'RequestLimitExceeded', statusCode: 503, expected: ProviderApiError },
    { code: 'Unavailable', statusCode: 503, expected: ProviderApiError },
    { code: 'InternalError', statusCode: 500, expected: ProviderApiError },
  ] as const;
  for (const { code, statusCode, expected } of cases) {
    test(`${code} (${statusCode}) becomes ${expected.name}, with the SDK error as cause`, async () => {
      const provider = makeProvider();
      server.failNext({ action: 'RunInstances', fault: { code, statusCode, message: `injected ${code}` } });
      const error = await rejectionOf(provider.createInstance(createOptions(`fault-${code}`)));
      expect(expected.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(code);
      expect(((error as Error).cause as { name?: string }).name).toBe(code);
      if (expected === ProviderApiError) {
        expect(error).toMatchObject({ isRetryable: true, code, statusCode });
      }
    });
  }

  test('an unknown 400 error is a non-retryable ProviderApiError', async () => {
    const provider = makeProvider();
    server.failNext({
      action: 'RunInstances',
      fault: { code: 'OperationNotPermitted', statusCode: 400, message: 'no' },
    });
    const error = await rejectionOf(provider.createInstance(createOptions('unknown')));
    expect(ProviderApiError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false, code: 'OperationNotPermitted', statusCode: 400 });
  });

  const configCases: { settings: Partial<AwsProviderSettings>; field: string; code: string }[] = [
    { settings: { amiId: 'ami-0aaaaaaaaaaaaaaaa' }, field: 'amiId', code: 'InvalidAMIID.NotFound' },
    { settings: { subnetId: 'subnet-0aaaaaaaaaaaaaaaa' }, field: 'subnetId', code: 'InvalidSubnetID.NotFound' },
    {
      settings: { securityGroupIds: ['sg-0aaaaaaaaaaaaaaaa'] },
      field: 'securityGroupIds',
      code: 'InvalidGroup.NotFound',
    },
    { settings: { keyPairName: 'missing-key' }, field: 'keyPairName', code: 'InvalidKeyPair.NotFound' },
    { settings: { instanceType: 'x9.huge' }, field: 'instanceType', code: 'InvalidParameterValue' },
    { settings: { secretAccessKey: 'wrong-secret' }, field: 'secretAccessKey', code: 'SignatureDoesNotMatch' },
    { settings: { accessKeyId: 'AKIAUNKNOWN' }, field: 'accessKeyId', code: 'AuthFailure' },
  ];
  for (const { settings, field, code } of configCases) {
    test(`${code} from EC2 becomes InvalidProviderConfigError naming ${field}`, async () => {
      const provider = makeProvider(settings);
      const error = await rejectionOf(provider.createInstance(createOptions(`config-${field}`)));
      expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidProviderConfigError).field).toBe(field);
      expect(((error as Error).cause as { name?: string }).name).toBe(code);
      expect(server.instances).toHaveLength(0);
    });
  }

  test('a bad AMI with a sized root volume is refused by the DescribeImages lookup, naming amiId', async () => {
    const provider = makeProvider({ amiId: 'ami-0aaaaaaaaaaaaaaaa', ebsVolumeSizeGb: 30 });
    const error = await rejectionOf(provider.createInstance(createOptions('bad-ami-volume')));
    expect((error as InvalidProviderConfigError).field).toBe('amiId');
    expect(server.requestsOf('RunInstances')).toHaveLength(0);
  });
});

describe('credentials and settings', () => {
  test('secrets from { env } and { file } sign requests; errors name the variable, never a value', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'headroom-aws-'));
    try {
      await writeFile(join(directory, 'secret'), `${FAKE_AWS_DEFAULTS.secretAccessKey}\n`);
      vi.stubEnv('HEADROOM_TEST_AWS_KEY_ID', FAKE_AWS_DEFAULTS.accessKeyId);
      const provider = makeProvider({
        accessKeyId: { env: 'HEADROOM_TEST_AWS_KEY_ID' },
        secretAccessKey: { file: join(directory, 'secret') },
      });
      expect(await provider.listInstances({ tags: {} })).toEqual([]);

      const missing = makeProvider({ accessKeyId: { env: 'HEADROOM_TEST_UNSET_VARIABLE' } });
      const error = await rejectionOf(missing.listInstances({ tags: {} }));
      expect(InvalidProviderConfigError.isInstance(error)).toBe(true);
      expect((error as InvalidProviderConfigError).field).toBe('accessKeyId');
      expect((error as Error).message).toContain('HEADROOM_TEST_UNSET_VARIABLE');
      expect((error as Error).message).not.toContain(FAKE_AWS_DEFAULTS.secretAccessKey);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('the region falls back to AWS_REGION, and its absence is a config error naming region', async () => {
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const provider = makeProvider({ region: undefined });
    await provider.listInstances({ tags: {} });
    expect(String(server.requests[0]?.headers.authorization)).toContain('/eu-west-1/ec2/aws4_request');

    vi.stubEnv('AWS_REGION', '');
    const withoutRegion = makeProvider({ region: undefined });
    const error = await rejectionOf(withoutRegion.listInstances({ tags: {} }));
    expect((error as InvalidProviderConfigError).field).toBe('region');
  });

  test('invalid settings are refused at creation with the field named', () => {
    const attempts: { settings: Partial<AwsProviderSettings>; field: string }[] = [
      { settings: { amiId: 'ubuntu' }, field: 'amiId' },
      { settings: { securityGroupIds: ['default'] }, field: 'securityGroupIds[0]' },
      { settings: { customTags: { 'aws:owner': 'x' } }, field: 'customTags.aws:owner' },
      { settings: { configOverride: { instance_config: {} } }, field: 'configOverride.instance_config' },
      { settings: { secretAccessKey: undefined }, field: 'secretAccessKey' },
      { settings: { retrieveWindowsPassword: true }, field: 'keyPairName' },
      { settings: { maxInstances: -1 }, field: 'maxInstances' },
    ];
    for (const { settings, field } of attempts) {
      let caught: unknown;
      try {
        makeProvider(settings);
      } catch (error) {
        caught = error;
      }
      expect(InvalidProviderConfigError.isInstance(caught), JSON.stringify(settings)).toBe(true);
      expect((caught as InvalidProviderConfigError).field).toBe(field);
    }
  });
});

describe('Windows password', () => {
  function windowsKeyPair() {
    // EC2 key pair files are PKCS#1 PEM ("BEGIN RSA PRIVATE KEY").
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { publicKey, privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
  }

  function encryptLikeEc2(publicKey: Parameters<typeof publicEncrypt>[0], password: string): string {
    return publicEncrypt(
      { key: publicKey as never, padding: constants.RSA_PKCS1_PADDING },
      Buffer.from(password, 'utf8'),
    ).toString('base64');
  }

  test('GetPasswordData is decrypted with the key pair private key (RSA PKCS#1 v1.5, base64)', async () => {
    const { publicKey, privateKeyPem } = windowsKeyPair();
    const provider = makeProvider({
      amiId: FAKE_AWS_DEFAULTS.windowsAmiId,
      keyPairName: FAKE_AWS_DEFAULTS.keyPairName,
      keyPairPrivateKey: privateKeyPem,
      retrieveWindowsPassword: true,
    });
    const instance = await provider.createInstance(createOptions('windows-1'));
    const retrieve = provider.retrieveConnectionSecret?.bind(provider);
    expect(retrieve).toBeTypeOf('function');
    if (!retrieve) return;
    expect(await retrieve({ instanceId: instance.instanceId })).toBeUndefined();

    const password = 'Xy7&kP2@qL9!mN4$';
    server.setPasswordData({ instanceId: instance.instanceId, passwordData: encryptLikeEc2(publicKey, password) });
    expect(await retrieve({ instanceId: instance.instanceId })).toBe(password);
    expect(server.requestsOf('GetPasswordData').map((request) => request.params.InstanceId)).toEqual([
      instance.instanceId,
      instance.instanceId,
    ]);
  });

  test('a wrong private key fails without revealing the key or the password; a missing instance is InstanceNotFoundError', async () => {
    const { publicKey } = windowsKeyPair();
    const other = windowsKeyPair();
    const directory = await mkdtemp(join(tmpdir(), 'headroom-aws-key-'));
    try {
      await writeFile(join(directory, 'key.pem'), other.privateKeyPem);
      const provider = makeProvider({
        keyPairName: FAKE_AWS_DEFAULTS.keyPairName,
        keyPairPrivateKey: { file: join(directory, 'key.pem') },
        retrieveWindowsPassword: true,
      });
      const instance = await provider.createInstance(createOptions('windows-2'));
      const password = 'Secret-Password-123';
      server.setPasswordData({ instanceId: instance.instanceId, passwordData: encryptLikeEc2(publicKey, password) });
      const error = await rejectionOf(
        provider.retrieveConnectionSecret?.({ instanceId: instance.instanceId }) ?? Promise.resolve(),
      );
      expect(ProviderApiError.isInstance(error)).toBe(true);
      const text = `${(error as Error).message} ${String((error as Error).cause)}`;
      expect(text).not.toContain(password);
      expect(text).not.toContain('PRIVATE KEY');

      const missing = await rejectionOf(
        provider.retrieveConnectionSecret?.({ instanceId: 'i-0123456789abcdef0' }) ?? Promise.resolve(),
      );
      expect(InstanceNotFoundError.isInstance(missing)).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  test('without retrieveWindowsPassword the provider has no retrieveConnectionSecret', () => {
    expect(makeProvider().retrieveConnectionSecret).toBeUndefined();
  });
});
