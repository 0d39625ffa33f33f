import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { awsDnsProviderSettingsSchema, awsProviderSettingsSchema } from './aws-provider-settings.js';
import { convertToAwsRunInstancesRequest, deepMergeAwsRequest } from './convert-to-aws-run-instances-request.js';

async function readmeExample(): Promise<{
  providers: Record<string, Record<string, unknown>>;
  dnsProviders: Record<string, Record<string, unknown>>;
}> {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  const block = readme.match(/<!-- aws-example:start -->\n```yaml\n([\s\S]*?)```\n<!-- aws-example:end -->/);
  if (!block?.[1]) throw new Error('README example block not found');
  return parse(block[1]);
}

describe('awsProviderSettingsSchema', () => {
  test('accepts the README example, every provider and DNS provider of it', async () => {
    const example = await readmeExample();
    for (const [id, provider] of Object.entries(example.providers)) {
      const result = awsProviderSettingsSchema.safeParse(provider);
      expect(result.success, `${id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
    for (const [id, provider] of Object.entries(example.dnsProviders)) {
      const result = awsDnsProviderSettingsSchema.safeParse(provider);
      expect(result.success, `${id}: ${JSON.stringify(result.error?.issues)}`).toBe(true);
    }
    const parsed = awsProviderSettingsSchema.parse(example.providers['aws-east']);
    expect(parsed).toMatchObject({
      accessKeyId: { env: 'HEADROOM_AWS_ACCESS_KEY_ID' },
      secretAccessKey: { file: '/run/secrets/aws-secret-access-key' },
      securityGroupIds: ['sg-0123456789abcdef0'],
      customTags: { team: 'platform', 'cost-center': '4711' },
      retrieveWindowsPassword: false,
      maxAttempts: 1,
    });
  });

  test('refuses unknown fields and reports each problem by path', () => {
    const result = awsProviderSettingsSchema.safeParse({
      type: 'aws',
      amiId: 'ami-0123456789abcdef0',
      instanceType: 't3.medium',
      maxInstances: 2,
      subnet: 'subnet-0123456789abcdef0',
      ebsVolumeType: 'gp9',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.') || issue.message) ?? [];
    expect(paths).toContain('ebsVolumeType');
    expect(result.error?.issues.some((issue) => issue.code === 'unrecognized_keys')).toBe(true);
  });
});

describe('convertToAwsRunInstancesRequest', () => {
  const settings = awsProviderSettingsSchema.parse({
    amiId: 'ami-0123456789abcdef0',
    instanceType: 't3.medium',
    maxInstances: 1,
    customTags: { Name: 'custom-name', team: 'a' },
    configOverride: { Placement: { AvailabilityZone: 'us-east-1b' }, UserData: 'b3ZlcnJpZGU=' },
  });

  test('Name and headroom tags win over custom tags; the override may replace UserData', () => {
    const request = convertToAwsRunInstancesRequest({
      settings,
      name: 'agent-1',
      idempotencyKey: 'k',
      tags: { 'headroom-pool': 'p', team: 'b' },
      startupScript: 'echo hi',
      rootDeviceName: undefined,
    });
    expect(request.TagSpecifications?.[0]?.Tags).toEqual([
      { Key: 'Name', Value: 'agent-1' },
      { Key: 'team', Value: 'b' },
      { Key: 'headroom-pool', Value: 'p' },
    ]);
    expect(request.Placement).toEqual({ AvailabilityZone: 'us-east-1b' });
    expect(request.UserData).toBe('b3ZlcnJpZGU=');
  });

  test('deep merge merges objects and replaces arrays', () => {
    expect(
      deepMergeAwsRequest(
        { MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' }, SecurityGroupIds: ['sg-1', 'sg-2'] },
        { MetadataOptions: { HttpTokens: 'required' }, SecurityGroupIds: ['sg-3'] },
      ),
    ).toEqual({ MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' }, SecurityGroupIds: ['sg-3'] });
  });
});
