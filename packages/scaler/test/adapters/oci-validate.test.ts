import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { repositoryRoot, runCli } from '../run-cli.js';

describe('headroom validate: oci', () => {
  const folder = mkdtempSync(join(tmpdir(), 'headroom-oci-validate-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('the complete example config is valid', () => {
    const result = runCli(['validate', '--config', 'examples/providers/oci.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('the JSON Schema of `headroom schema` accepts the example', () => {
    const schema = JSON.parse(runCli(['schema']).stdout);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(parseYaml(readFileSync(join(repositoryRoot, 'examples/providers/oci.yaml'), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('every bad field is reported by path, with exit code 2 and no stack trace', () => {
    const example = readFileSync(join(repositoryRoot, 'examples/providers/oci.yaml'), 'utf8');
    const bad = example
      .replace('bootVolumeVpusPerGb: 20', 'bootVolumeVpusPerGb: 25')
      .replace('flexOcpus: 2', 'flexOcpus: 0')
      .replace('OCI_MODEL_NAME: InstanceOptions', 'OCI_MODEL_NAME: InstanceOptionz')
      .replace('region: us-ashburn-1\n    fingerprint', 'region: Ashburn\n    fingerprint')
      .replace('zoneName: example.com', 'zoneName: nope');
    const path = join(folder, 'bad.yaml');
    writeFileSync(path, bad);
    const result = runCli(['validate', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers.oci-ashburn.bootVolumeVpusPerGb: must be a multiple of 10');
    expect(result.stderr).toContain('providers.oci-ashburn.flexOcpus: must be > 0');
    expect(result.stderr).toContain(
      'providers.oci-ashburn.configOverride.launch_instance_details.instance_options.OCI_MODEL_NAME: "InstanceOptionz" is not a model of the OCI Core SDK',
    );
    expect(result.stderr).toContain('providers.oci-ashburn.region: must be an OCI region such as us-ashburn-1');
    expect(result.stderr).toContain('dnsProviders.oci-dns.zoneName: must be a zone name such as example.com');
    expect(result.stderr).toContain('(5 problems)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
