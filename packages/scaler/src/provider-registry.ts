import { ConfigError, type ConfigIssue, formatConfigPath, type HeadroomConfig } from '@headroom/core';
import type { ComputeProviderV1, DnsProviderV1 } from '@headroom/core/provider';
import { z } from 'zod';
import { createFakeComputeProvider, fakeProviderSettingsSchema } from './run/fake-provider-settings.js';

/** Where each provider type's adapter lives; loaded by dynamic import so a deployment installs only its clouds. */
interface AdapterEntry {
  packageName: string;
  settingsSchema: string;
  createProvider: string;
  dnsSettingsSchema?: string;
  createDnsProvider?: string;
}

const ADAPTERS: Record<string, AdapterEntry> = {
  aws: {
    packageName: '@headroom/provider-aws',
    settingsSchema: 'awsProviderSettingsSchema',
    createProvider: 'createAwsProvider',
    dnsSettingsSchema: 'awsDnsProviderSettingsSchema',
    createDnsProvider: 'createAwsDnsProvider',
  },
  vsphere: {
    packageName: '@headroom/provider-vsphere',
    settingsSchema: 'vsphereProviderSettingsSchema',
    createProvider: 'createVsphereProvider',
  },
};

interface SafeParseSchema {
  safeParse(input: unknown):
    | { success: true; data: unknown }
    | {
        success: false;
        error: { issues: Array<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }> };
      };
}

async function loadAdapter(type: string): Promise<Record<string, unknown> | undefined> {
  const entry = ADAPTERS[type];
  if (!entry) return undefined;
  try {
    return (await import(entry.packageName)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** Settings of a DNS provider of type `fake` (an in-memory zone store). */
const fakeDnsProviderSettingsSchema = z.strictObject({ zones: z.array(z.string()).optional() });

/** Provider config fields the core schema owns; the rest belongs to the adapter. */
const COMMON_FIELDS = new Set(['type', 'name']);

function adapterSettings(entry: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entry).filter(([key]) => !COMMON_FIELDS.has(key)));
}

async function checkSection(
  section: 'providers' | 'dnsProviders',
  entries: Record<string, Record<string, unknown> & { type: string }>,
  issues: ConfigIssue[],
): Promise<void> {
  for (const [id, entry] of Object.entries(entries)) {
    if (entry.type === 'fake') {
      const schema = section === 'providers' ? fakeProviderSettingsSchema : fakeDnsProviderSettingsSchema;
      const result = schema.safeParse(adapterSettings(entry));
      if (!result.success) {
        for (const issue of result.error.issues) {
          const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
          for (const key of keys) {
            issues.push({
              path: formatConfigPath([section, id, ...issue.path, ...(key === undefined ? [] : [key])]),
              message: key === undefined ? issue.message : 'unknown field',
            });
          }
        }
      }
      continue;
    }
    const adapter = ADAPTERS[entry.type];
    const exportName = section === 'providers' ? adapter?.settingsSchema : adapter?.dnsSettingsSchema;
    if (!adapter || !exportName) {
      issues.push({
        path: `${section}.${id}.type`,
        message: `no ${section === 'providers' ? 'VM' : 'DNS'} adapter for type "${entry.type}" in this release`,
      });
      continue;
    }
    const module = await loadAdapter(entry.type);
    const schema = module?.[exportName] as SafeParseSchema | undefined;
    if (!module || !schema) {
      issues.push({
        path: `${section}.${id}.type`,
        message: `type "${entry.type}" needs the package ${adapter.packageName}; install it`,
      });
      continue;
    }
    const result = schema.safeParse(adapterSettings(entry));
    if (!result.success) {
      for (const issue of result.error.issues) {
        if (issue.code === 'unrecognized_keys' && issue.keys) {
          for (const key of issue.keys)
            issues.push({ path: formatConfigPath([section, id, ...issue.path, key]), message: 'unknown field' });
        } else {
          issues.push({ path: formatConfigPath([section, id, ...issue.path]), message: issue.message });
        }
      }
    }
  }
}

/**
 * Checks each provider's type-specific fields with its adapter's own schema.
 * @throws ConfigError listing every problem by path.
 */
export async function validateProviderSettings(config: HeadroomConfig, source?: string): Promise<void> {
  const issues: ConfigIssue[] = [];
  await checkSection('providers', config.providers, issues);
  await checkSection('dnsProviders', config.dnsProviders, issues);
  if (issues.length > 0) throw new ConfigError({ issues, ...(source ? { source } : {}) });
}

/** Creates the compute adapter for a provider config entry (dynamic import of its package). */
export async function createComputeProvider(
  entry: Record<string, unknown> & { type: string },
  options: { id?: string } = {},
): Promise<ComputeProviderV1> {
  if (entry.type === 'fake') {
    return createFakeComputeProvider({
      id: options.id ?? 'fake',
      settings: fakeProviderSettingsSchema.parse(adapterSettings(entry)),
    });
  }
  const adapter = ADAPTERS[entry.type];
  const module = await loadAdapter(entry.type);
  const factory =
    adapter && (module?.[adapter.createProvider] as ((settings: unknown) => ComputeProviderV1) | undefined);
  if (!factory) throw new Error(`no VM adapter available for provider type "${entry.type}"`);
  return factory(adapterSettings(entry));
}

/** Creates the DNS adapter for a DNS provider config entry. */
export async function createDnsProvider(entry: Record<string, unknown> & { type: string }): Promise<DnsProviderV1> {
  if (entry.type === 'fake') {
    const { createFakeDnsProvider } = await import('@headroom/core/test');
    return createFakeDnsProvider(fakeDnsProviderSettingsSchema.parse(adapterSettings(entry)));
  }
  const adapter = ADAPTERS[entry.type];
  const module = await loadAdapter(entry.type);
  const factory =
    adapter?.createDnsProvider &&
    (module?.[adapter.createDnsProvider] as ((settings: unknown) => DnsProviderV1) | undefined);
  if (!factory) throw new Error(`no DNS adapter available for DNS provider type "${entry.type}"`);
  return factory(adapterSettings(entry));
}
