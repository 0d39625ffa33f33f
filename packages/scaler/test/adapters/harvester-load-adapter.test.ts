import { describe, expect, test } from 'vitest';
import { loadAdapter } from '../../src/adapters/load-adapter.js';

describe('loadAdapter: one package serves two types', () => {
  test('type harvester loads from @headroom/provider-kubevirt through headroom.providerTypes', async () => {
    const harvester = await loadAdapter('harvester');
    const kubevirt = await loadAdapter('kubevirt');
    const module = await import('@headroom/provider-kubevirt');
    expect(harvester.type).toBe('harvester');
    expect(harvester).toBe(module.harvesterAdapter);
    expect(kubevirt.type).toBe('kubevirt');
    expect(kubevirt).toBe(module.adapter);
    expect(harvester.settingsSchema.safeParse({ namespace: 'kasm' }).success).toBe(false);
  });
});
