import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../run-cli.js';

const temporary = mkdtempSync(join(tmpdir(), 'headroom-kubevirt-'));

describe('headroom validate: kubevirt and harvester providers', () => {
  test('the complete KubeVirt example is valid', () => {
    const result = runCli(['validate', '--config', 'examples/providers/kubevirt.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('the complete Harvester example is valid (type harvester is served by @headroom/provider-kubevirt)', () => {
    const result = runCli(['validate', '--config', 'examples/providers/harvester.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('bad fields of both types: exit 2, every issue by path, no stack trace', () => {
    const path = join(temporary, 'bad.yaml');
    writeFileSync(
      path,
      `providers:
  kv:
    type: kubevirt
    maxInstances: 2
    host: https://203.0.113.10:6443
    namespace: Kasm
    cores: 0
    memoryMb: 4096
    diskSizeGb: 30
    diskSourcePvc: ubuntu
    networkType: overlay
    gpuCount: 1
  hv:
    type: harvester
    maxInstances: 2
    kubeconfig: { file: kube.yaml }
    namespace: kasm
    cores: 2
    memoryMb: 4096
    diskSizeGb: 30
    diskImage: Not An Image
    configOverride: "kind: Pod"
`,
    );
    const result = runCli(['validate', '--config', path]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const expected of [
      'providers.kv.namespace: must be a Kubernetes namespace name',
      'providers.kv.cores: must be ≥ 1',
      'providers.kv.networkType: ',
      'providers.kv.gpuCount: unknown field',
      'providers.hv.diskImage: must be a Harvester image name or namespace/name',
      'providers.hv.configOverride.kind: must be VirtualMachine',
    ]) {
      expect(result.stderr).toContain(expected);
    }
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('headroom schema: kubevirt and harvester branches', () => {
  const result = runCli(['schema']);
  const schema = JSON.parse(result.stdout);
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

  test('both types are branches of the providers union', () => {
    const types = schema.properties.providers.additionalProperties.oneOf.map(
      (branch: { properties: { type: { const: string } } }) => branch.properties.type.const,
    );
    expect(types).toEqual(expect.arrayContaining(['kubevirt', 'harvester']));
  });

  test.each(['examples/providers/kubevirt.yaml', 'examples/providers/harvester.yaml'])(
    'an off-the-shelf validator accepts %s',
    (path) => {
      const valid = validate(parseYaml(readFileSync(path, 'utf8')));
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    },
  );
});
