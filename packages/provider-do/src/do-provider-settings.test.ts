import { checkProviderSettings } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { doDnsProviderSettingsSchema, doProviderSettingsSchema } from './do-provider-settings.js';

const complete = {
  type: 'digitalocean',
  name: 'do-nyc',
  token: { env: 'DIGITALOCEAN_TOKEN' },
  maxInstances: 10,
  region: 'nyc1',
  size: 'c-2',
  image: 'ubuntu-24-04-x64',
  vpcUuid: '5a4981aa-9653-4bd1-bef5-d6bff52042e4',
  sshKeys: [512189, '3b:16:bf:e4:8b:00:8b:b8:59:8c:a9:d3:f0:19:45:fa', 'ops key'],
  tags: 'vdi, zone:abc123',
  firewallName: 'headroom-agents',
  startupScript: '#!/bin/bash\n',
};

describe('doProviderSettingsSchema', () => {
  test('accepts every seed field and turns the comma-separated tags into a list', () => {
    const parsed = doProviderSettingsSchema.parse(complete);
    expect(parsed.tags).toEqual(['vdi', 'zone:abc123']);
    expect(parsed.endpoint).toBe('https://api.digitalocean.com');
    expect(doProviderSettingsSchema.parse(parsed)).toEqual(parsed);
  });

  test('reports every bad field by path', () => {
    const issues = checkProviderSettings({
      schema: doProviderSettingsSchema,
      settings: {
        ...complete,
        region: 'New York',
        maxInstances: -1,
        vpcUuid: 'vpc-1',
        tags: ['ok', 'bad tag', 'headroom-pool:x'],
        image: '',
        droplets: 3,
      },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      ['droplets', 'image', 'maxInstances', 'region', 'tags[1]', 'tags[2]', 'vpcUuid'].sort(),
    );
  });

  test('the DNS schema takes the token and an optional domain', () => {
    expect(doDnsProviderSettingsSchema.parse({ type: 'digitalocean', token: 'x', domain: 'example.com' }).domain).toBe(
      'example.com',
    );
    expect(checkProviderSettings({ schema: doDnsProviderSettingsSchema, settings: { domain: 'nope' } })).toHaveLength(
      1,
    );
  });
});
