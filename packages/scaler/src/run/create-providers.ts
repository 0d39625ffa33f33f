import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { HeadroomConfig } from '@headroom/core';
import type { ComputeProviderV1, DnsProviderV1 } from '@headroom/core/provider';
import { createComputeProvider, createDnsProvider } from '../provider-registry.js';

/** Compute and DNS adapters for every provider of the config; a fake cloud keeps its state under `stateDir`. */
export async function createProviders(options: {
  config: HeadroomConfig;
  stateDir: string;
  /** Relative `{ file }` secrets of adapters resolve next to it. */
  configPath: string;
}): Promise<{
  providers: Record<string, ComputeProviderV1>;
  dnsProviders: Record<string, DnsProviderV1>;
}> {
  const stateDir = resolve(options.stateDir);
  const entries = Object.entries(options.config.providers).map(([id, entry]) => {
    const keepsState = entry.type === 'fake' && entry.url === undefined && entry.stateFile === undefined;
    return [id, keepsState ? { ...entry, stateFile: join(stateDir, `fake-cloud-${id}.json`) } : entry] as const;
  });
  if (entries.some(([, entry]) => entry.type === 'fake')) await mkdir(stateDir, { recursive: true });
  const providers = Object.fromEntries(
    await Promise.all(
      entries.map(
        async ([id, entry]) =>
          [id, await createComputeProvider(entry, { id, configPath: options.configPath })] as const,
      ),
    ),
  );
  const dnsProviders = Object.fromEntries(
    await Promise.all(
      Object.entries(options.config.dnsProviders).map(
        async ([id, entry]) => [id, await createDnsProvider(entry, { id, configPath: options.configPath })] as const,
      ),
    ),
  );
  return { providers, dnsProviders };
}
