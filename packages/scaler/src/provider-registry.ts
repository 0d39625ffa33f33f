import { dirname } from 'node:path';
import { ConfigError, type ConfigIssue, type HeadroomConfig } from '@headroom/core';
import { type ComputeProviderV1, checkProviderSettings, type DnsProviderV1 } from '@headroom/core/provider';
import { z } from 'zod';
import { AdapterUnavailableError, loadAdapter } from './adapters/load-adapter.js';
import { providerEntrySettings } from './adapters/provider-entry-settings.js';
import { createFakeComputeProvider, fakeProviderSettingsSchema } from './run/fake-provider-settings.js';

/** Settings of a DNS provider of type `fake` (an in-memory zone store). */
export const fakeDnsProviderSettingsSchema = z.strictObject({ zones: z.array(z.string()).optional() });

type Section = 'providers' | 'dnsProviders';
type ProviderEntry = Record<string, unknown> & { type: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every issue of one entry's adapter fields; an entry without a usable `type` is core's to report. */
async function checkEntry(section: Section, id: string, entry: unknown): Promise<ConfigIssue[]> {
  if (!isRecord(entry) || typeof entry.type !== 'string') return [];
  const pathPrefix = [section, id];
  const settings = providerEntrySettings(entry, undefined);
  if (entry.type === 'fake') {
    const schema = section === 'providers' ? fakeProviderSettingsSchema : fakeDnsProviderSettingsSchema;
    return checkProviderSettings({ schema, settings, pathPrefix });
  }
  let adapter: Awaited<ReturnType<typeof loadAdapter>>;
  try {
    adapter = await loadAdapter(entry.type);
  } catch (error) {
    if (!(error instanceof AdapterUnavailableError)) throw error;
    return [{ path: `${section}.${id}.type`, message: error.message }];
  }
  const schema = section === 'providers' ? adapter.settingsSchema : adapter.dnsSettingsSchema;
  if (!schema) return [{ path: `${section}.${id}.type`, message: `the ${entry.type} adapter has no DNS provider` }];
  return checkProviderSettings({ schema, settings, pathPrefix });
}

/**
 * Checks the adapter fields of every `providers` and `dnsProviders` entry of a config document (raw
 * or parsed), each with its adapter's own schema. Runs on the raw document so that its issues are
 * listed together with the core schema's.
 */
export async function checkProviderSections(document: unknown): Promise<ConfigIssue[]> {
  if (!isRecord(document)) return [];
  const issues: ConfigIssue[] = [];
  for (const section of ['providers', 'dnsProviders'] as const) {
    const entries = document[section];
    if (!isRecord(entries)) continue;
    for (const [id, entry] of Object.entries(entries)) issues.push(...(await checkEntry(section, id, entry)));
  }
  return issues;
}

/**
 * Checks each provider's type-specific fields with its adapter's own schema.
 * @throws ConfigError listing every problem by path.
 */
export async function validateProviderSettings(config: HeadroomConfig, source?: string): Promise<void> {
  const issues = await checkProviderSections(config);
  if (issues.length > 0) throw new ConfigError({ issues, ...(source ? { source } : {}) });
}

export interface CreateProviderOptions {
  /** Provider config id. Default: the type. */
  id?: string;
  /** Path of the config file: relative `{ file }` secrets resolve next to it. */
  configPath?: string;
}

/** Creates the compute provider for a `providers.<id>` entry through its adapter. */
export async function createComputeProvider(
  entry: ProviderEntry,
  options: CreateProviderOptions = {},
): Promise<ComputeProviderV1> {
  const configDirectory = options.configPath === undefined ? undefined : dirname(options.configPath);
  const settings = providerEntrySettings(entry, configDirectory);
  const configId = options.id ?? entry.type;
  if (entry.type === 'fake') {
    return createFakeComputeProvider({ id: configId, settings: fakeProviderSettingsSchema.parse(settings) });
  }
  const adapter = await loadAdapter(entry.type);
  return adapter.createProvider({
    settings: adapter.settingsSchema.parse(settings),
    context: { configId, ...(configDirectory === undefined ? {} : { configDirectory }) },
  });
}

/** Creates the DNS provider for a `dnsProviders.<id>` entry through its adapter. */
export async function createDnsProvider(
  entry: ProviderEntry,
  options: CreateProviderOptions = {},
): Promise<DnsProviderV1> {
  const configDirectory = options.configPath === undefined ? undefined : dirname(options.configPath);
  const settings = providerEntrySettings(entry, configDirectory);
  if (entry.type === 'fake') {
    const { createFakeDnsProvider } = await import('@headroom/core/test');
    return createFakeDnsProvider(fakeDnsProviderSettingsSchema.parse(settings));
  }
  const adapter = await loadAdapter(entry.type);
  if (!adapter.dnsSettingsSchema || !adapter.createDnsProvider) {
    throw new AdapterUnavailableError(entry.type, `the ${entry.type} adapter has no DNS provider`);
  }
  return adapter.createDnsProvider({
    settings: adapter.dnsSettingsSchema.parse(settings),
    context: {
      configId: options.id ?? entry.type,
      ...(configDirectory === undefined ? {} : { configDirectory }),
    },
  });
}
