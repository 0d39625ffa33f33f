import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { repositoryRoot, runCli } from '../run-cli.js';

// `type: digitalocean` is served by @headroom/provider-do, found through its package.json
// `headroom.providerTypes` (the conventional @headroom/provider-digitalocean does not exist).
describe('headroom validate: digitalocean', () => {
  const folder = mkdtempSync(join(tmpdir(), 'headroom-do-validate-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('the complete example config is valid', () => {
    const result = runCli(['validate', '--config', 'examples/providers/digitalocean.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('the JSON Schema of `headroom schema` accepts the example', () => {
    const schema = JSON.parse(runCli(['schema']).stdout);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    const valid = validate(
      parseYaml(readFileSync(join(repositoryRoot, 'examples/providers/digitalocean.yaml'), 'utf8')),
    );
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('every bad field is reported by path, with exit code 2 and no stack trace', () => {
    const example = readFileSync(join(repositoryRoot, 'examples/providers/digitalocean.yaml'), 'utf8');
    const bad = example
      .replace('region: nyc1', 'region: New York')
      .replace('size: s-4vcpu-8gb', 'size: 4 CPUs')
      .replace('tags: vdi,agents', 'tags: vdi,bad tag')
      .replace('monitoring: true', 'monitoring: true\n    droplets: 3')
      .replace('domain: example.com', 'domain: nope');
    const path = join(folder, 'bad.yaml');
    writeFileSync(path, bad);
    const result = runCli(['validate', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers.do-nyc.region: must be a region slug such as nyc1');
    expect(result.stderr).toContain('providers.do-nyc.size: must be a size slug such as s-2vcpu-4gb');
    expect(result.stderr).toMatch(/providers\.do-nyc\.tags\[1\]: must be a DigitalOcean tag/);
    expect(result.stderr).toContain('providers.do-nyc.droplets: unknown field');
    expect(result.stderr).toContain('dnsProviders.do-dns.domain: must be a domain name such as example.com');
    expect(result.stderr).toContain('(5 problems)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
