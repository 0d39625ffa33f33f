import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repositoryRoot, runCli } from '../run-cli.js';

// `headroom validate` checks GCP provider configs with @headroom/provider-gcp's schema (built CLI).
describe('headroom validate: gcp providers', () => {
  const examplePath = join(repositoryRoot, 'examples/providers/gcp.yaml');
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'headroom-gcp-validate-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('the complete example config is valid', () => {
    const result = runCli(['validate', '--config', examplePath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('3 providers, 1 DNS provider');
  });

  test('bad GCP fields are reported by path, every one, with exit code 2', async () => {
    const example = await readFile(examplePath, 'utf8');
    const bad = example
      .replace('zone: us-east4-b', 'zone: europe-west1-b')
      .replace('machineType: e2-standard-4', 'machineType: E2 Standard')
      .replace('labels: { team: platform, cost-center: "4711" }', 'labels: { Team: platform, headroom-pool: x }')
      .replace(
        '      scheduling: { provisioningModel: STANDARD }',
        '      scheduling: { provisioningModel: STANDARD }\n      labels: { a: b }\n      metadata: { items: [] }\n      name: mine\n      minCpuPlatfrom: x',
      )
      .replace('    startupScriptType: powershell', '    startupScriptType: bash\n    publicIP: true')
      .replace(
        '      - { key: enable-oslogin, value: "TRUE" }',
        '      - { key: enable-oslogin, value: "TRUE" }\n      - { key: startup-script, value: echo }',
      )
      .replace('acceleratorCount: 1 }', 'acceleratorCount: 0 }')
      .replace('    managedZone: agents-example-com', '    managedZone: Agents_Example\n    credential: x');
    const path = join(directory, 'bad.yaml');
    await writeFile(path, bad);
    const result = runCli(['validate', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const expected = [
      'providers.gcp-east.zone: must be a zone of region us-east4',
      'providers.gcp-east.machineType: must be a machine type',
      'providers.gcp-east.labels.Team: label keys start with a lowercase letter',
      'providers.gcp-east.labels.headroom-pool: label keys starting with "headroom-"',
      'providers.gcp-east.metadata[1].key: is written by Headroom',
      'providers.gcp-east.configOverride.labels: cannot be overridden',
      'providers.gcp-east.configOverride.metadata: cannot be overridden',
      'providers.gcp-east.configOverride.name: cannot be overridden',
      'providers.gcp-east.configOverride.minCpuPlatfrom: is not a member of the Compute Engine Instance resource',
      'providers.gcp-gpu.guestAccelerators[0].acceleratorCount: must be ≥ 1',
      'providers.gcp-windows.publicIP: unknown field',
      'providers.gcp-windows.startupScriptType: must be powershell on windows',
      'dnsProviders.cloud-dns.managedZone: must be a managed zone name',
      'dnsProviders.cloud-dns.credential: unknown field',
    ];
    for (const line of expected) expect(result.stderr).toContain(line);
    expect(result.stderr).toContain(`(${expected.length} problems)`);
  });
});
