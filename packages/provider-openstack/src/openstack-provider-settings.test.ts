import { readFileSync } from 'node:fs';
import { checkProviderSettings, InvalidProviderConfigError } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { createOpenstackProvider } from './openstack-provider.js';
import { openstackProviderSettingsSchema } from './openstack-provider-settings.js';

const complete = {
  type: 'openstack',
  name: 'OpenStack pool',
  maxInstances: 10,
  identityEndpoint: 'https://keystone.example.com:5000/v3',
  region: 'RegionOne',
  novaEndpoint: 'https://nova.example.com:8774/v2.1',
  novaVersion: '2.79',
  glanceEndpoint: 'https://glance.example.com:9292',
  glanceVersion: 'v2',
  cinderEndpoint: 'https://cinder.example.com:8776/v3/%(project_id)s',
  cinderVersion: 'v3',
  authenticationMethod: 'applicationCredential',
  applicationCredentialId: '21dced0fd20347869b93710d2b98aae0',
  applicationCredentialSecret: { env: 'OS_APPLICATION_CREDENTIAL_SECRET' },
  metadata: { team: 'workspaces' },
  imageId: '7f4e0b1a-8c2d-4e5f-9a6b-0c1d2e3f4a5b',
  flavor: 'm1.medium',
  createVolume: true,
  volumeSizeGb: 50,
  volumeType: 'ssd',
  startupScript: '#!/bin/bash\necho hello\n',
  securityGroups: ['default', 'kasm'],
  networkId: 'a3c1e0f2-5b6d-4c7e-8f9a-0b1c2d3e4f5a',
  keyName: 'ops',
  availabilityZone: 'nova',
  configDrive: true,
  configOverride: { description: 'Kasm agent', 'os:scheduler_hints': { group: 'abc' } },
};

const issuesOf = (settings: unknown) =>
  checkProviderSettings({ schema: openstackProviderSettingsSchema, settings }).map(
    (issue) => `${issue.path}: ${issue.message}`,
  );

describe('openstack settings', () => {
  test('a complete config with every seed field is valid', () => {
    expect(issuesOf(complete)).toEqual([]);
  });

  test('password authentication needs username, password and project', () => {
    const { applicationCredentialId: _, applicationCredentialSecret: __, ...rest } = complete;
    const issues = issuesOf({ ...rest, authenticationMethod: 'password' });
    expect(issues).toEqual([
      'username: is required with authenticationMethod password',
      'password: is required with authenticationMethod password',
      'projectName: is required with authenticationMethod password',
    ]);
  });

  test('an application credential needs its id and secret', () => {
    const { applicationCredentialId: _, applicationCredentialSecret: __, ...rest } = complete;
    expect(issuesOf(rest)).toEqual([
      'applicationCredentialId: is required with authenticationMethod applicationCredential',
      'applicationCredentialSecret: is required with authenticationMethod applicationCredential',
    ]);
  });

  test('volume size and type need createVolume, and createVolume needs a size', () => {
    expect(issuesOf({ ...complete, createVolume: false })).toEqual([
      'volumeSizeGb: can only be set when createVolume is on',
      'volumeType: can only be set when createVolume is on',
    ]);
    const { volumeSizeGb: _, ...withoutSize } = complete;
    expect(issuesOf(withoutSize)).toEqual(['volumeSizeGb: is required when createVolume is on']);
  });

  test('endpoints must be https except on loopback', () => {
    expect(issuesOf({ ...complete, identityEndpoint: 'http://keystone.example.com:5000/v3' })).toEqual([
      'identityEndpoint: must be https:// (plain http:// is accepted only for 127.0.0.1/localhost)',
    ]);
    expect(issuesOf({ ...complete, identityEndpoint: 'http://127.0.0.1:5000/v3' })).toEqual([]);
  });

  test('microversions below 2.37, unknown fields, reserved metadata and foreign override members are refused', () => {
    const issues = issuesOf({
      ...complete,
      novaVersion: '2.1',
      flavour: 'm1.small',
      metadata: { 'headroom-pool': 'x' },
      configOverride: { name: 'x', flavour: 'y' },
    });
    expect(issues).toEqual([
      'novaVersion: must be 2.37 or later (servers without networks need 2.37)',
      'metadata.headroom-pool: keys starting with "headroom-" are reserved by Headroom',
      'configOverride.name: is set by Headroom and cannot be overridden',
      expect.stringContaining('configOverride.flavour: is not a member'),
      'flavour: unknown field',
    ]);
  });

  test('createOpenstackProvider refuses bad settings with an InvalidProviderConfigError naming the field', () => {
    let caught: unknown;
    try {
      createOpenstackProvider({ ...complete, maxInstances: -1 } as never);
    } catch (error) {
      caught = error;
    }
    expect(InvalidProviderConfigError.isInstance(caught)).toBe(true);
    expect((caught as InvalidProviderConfigError).field).toBe('maxInstances');
  });
});

test('the README shows examples/providers/openstack.yaml verbatim', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const example = readFileSync(new URL('../../../examples/providers/openstack.yaml', import.meta.url), 'utf8');
  const block = readme.match(
    /<!-- openstack-example:start -->\n```yaml\n([\s\S]*?)```\n<!-- openstack-example:end -->/,
  );
  expect(block?.[1]).toBe(example);
});
