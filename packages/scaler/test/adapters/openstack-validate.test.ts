import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repositoryRoot, runCli } from '../run-cli.js';

const example = 'examples/providers/openstack.yaml';

describe('headroom validate with the openstack adapter', () => {
  test('the complete example config is valid', () => {
    const result = runCli(['validate', '--config', example]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('every bad field is reported by path, exit 2', () => {
    const text = readFileSync(join(repositoryRoot, example), 'utf8')
      .replace(
        'identityEndpoint: https://keystone.example.com:5000/v3',
        'identityEndpoint: http://keystone.example.com:5000/v3',
      )
      .replace('novaVersion: "2.79"', 'novaVersion: "2.1"')
      .replace('authenticationMethod: applicationCredential', 'authenticationMethod: token')
      .replace('volumeSizeGb: 80', 'volumeSizeGb: 0')
      .replace('configDrive: true', 'configDrive: yes-please\n    flavour: m1.small');
    const folder = mkdtempSync(join(tmpdir(), 'headroom-openstack-'));
    const bad = join(folder, 'bad.yaml');
    writeFileSync(bad, text);
    const result = runCli(['validate', '--config', bad]);
    expect(result.code).toBe(2);
    const prefix = 'providers.openstack-east.';
    expect(result.stderr).toContain(`${prefix}identityEndpoint: must be https://`);
    expect(result.stderr).toContain(`${prefix}novaVersion: must be 2.37 or later`);
    expect(result.stderr).toContain(`${prefix}authenticationMethod: must be applicationCredential or password`);
    expect(result.stderr).toContain(`${prefix}volumeSizeGb: must be ≥ 1`);
    expect(result.stderr).toContain(`${prefix}configDrive: must be true or false`);
    expect(result.stderr).toContain(`${prefix}flavour: unknown field`);
    expect(result.stderr).toContain('(6 problems)');
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
