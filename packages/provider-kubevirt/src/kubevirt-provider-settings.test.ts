import { checkProviderSettings, InvalidProviderConfigError } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { createHarvesterProvider, createKubevirtProvider } from './kubevirt-provider.js';
import { harvesterProviderSettingsSchema, kubevirtProviderSettingsSchema } from './kubevirt-provider-settings.js';

const certificate = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
const kubevirt = {
  type: 'kubevirt',
  name: 'KubeVirt Provider',
  maxInstances: 10,
  host: 'https://203.0.113.10:6443',
  certificateAuthorityData: certificate,
  apiToken: { env: 'KUBEVIRT_TOKEN' },
  namespace: 'kasm',
  sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA ops@example.com',
  osType: 'linux',
  cores: 4,
  memoryMb: 4096,
  diskSizeGb: 30,
  diskSourcePvc: 'kasm-ubuntu-focal',
  storageClassName: 'kasm-storage',
  interfaceType: 'bridge',
  networkName: 'default',
  networkType: 'pod',
  startupScript: '#!/bin/bash\necho hi\n',
  enableTpm: false,
  enableEfiBoot: true,
  enableSecureBoot: true,
};

const issues = (
  schema: typeof kubevirtProviderSettingsSchema | typeof harvesterProviderSettingsSchema,
  settings: unknown,
) => checkProviderSettings({ schema, settings }).map((issue) => `${issue.path}: ${issue.message}`);

describe('settings schemas', () => {
  test('every seed field of KubeVirt is accepted', () => {
    expect(issues(kubevirtProviderSettingsSchema, kubevirt)).toEqual([]);
  });

  test('Harvester takes diskImage instead of diskSourcePvc', () => {
    const { diskSourcePvc: _pvc, storageClassName: _class, type: _type, ...rest } = kubevirt;
    const harvester = {
      ...rest,
      type: 'harvester',
      diskImage: 'kasm-ubuntu-focal',
      networkType: 'multus',
      networkName: 'kasm-network',
    };
    expect(issues(harvesterProviderSettingsSchema, harvester)).toEqual([]);
    expect(issues(harvesterProviderSettingsSchema, { ...harvester, diskSourcePvc: 'x' })).toEqual([
      'diskSourcePvc: unknown field',
    ]);
  });

  test('every issue is reported by path', () => {
    const bad = {
      ...kubevirt,
      namespace: 'Kasm_NS',
      cores: 0,
      memoryMb: 64,
      certificateAuthorityData: 'bm90IGEgY2VydA==',
      networkType: 'overlay',
      enableEfiBoot: false,
      inCluster: true,
      sshPublicKey: 'not-a-key',
    };
    const found = issues(kubevirtProviderSettingsSchema, bad);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^namespace: must be a Kubernetes namespace name/),
        'cores: must be ≥ 1',
        'memoryMb: must be ≥ 128',
        expect.stringMatching(/^certificateAuthorityData: must be a base64-encoded PEM/),
        expect.stringMatching(/^networkType: /),
        expect.stringMatching(/^sshPublicKey: must be an OpenSSH public key/),
      ]),
    );
    expect(found.length).toBe(6);
  });

  test('cross-field rules: one connection, token with host, a disk, secure boot needs EFI', () => {
    const { diskSourcePvc: _pvc, apiToken: _token, ...rest } = kubevirt;
    expect(
      issues(kubevirtProviderSettingsSchema, { ...rest, enableEfiBoot: false, kubeconfig: { file: 'kube.yaml' } }),
    ).toEqual([
      'host: cannot be combined with kubeconfig: use one of kubeconfig, host + apiToken, or inCluster: true',
      'apiToken: is required with host',
      'enableSecureBoot: requires enableEfiBoot: true',
      'diskSourcePvc: is required (or containerDiskImage, or a configOverride manifest)',
    ]);
  });

  test('a configOverride must be a VirtualMachine manifest with a domain', () => {
    const override = 'apiVersion: v1\nkind: Pod\nspec: {}\n';
    expect(issues(kubevirtProviderSettingsSchema, { ...kubevirt, configOverride: override })).toEqual([
      'configOverride.kind: must be VirtualMachine',
      'configOverride.apiVersion: must be kubevirt.io/v1',
      'configOverride.spec.template.spec.domain: is required',
    ]);
    expect(issues(kubevirtProviderSettingsSchema, { ...kubevirt, configOverride: 'a: [' })[0]).toMatch(
      /^configOverride: is not valid YAML/,
    );
  });

  test('the factories throw InvalidProviderConfigError naming the field, before any call', () => {
    const error = (() => {
      try {
        createHarvesterProvider({
          ...(kubevirt as object),
          type: undefined,
          diskSourcePvc: undefined,
          diskImage: 'img',
          namespace: 'Bad_NS',
        } as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(InvalidProviderConfigError.isInstance(error) && error.field === 'namespace').toBe(true);
    expect(() => createKubevirtProvider({ ...(kubevirt as object), maxInstances: -1 } as never)).toThrow(
      /maxInstances/,
    );
  });
});
