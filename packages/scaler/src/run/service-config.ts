import { dirname } from 'node:path';
import { ConfigError, type ConfigIssue, type HeadroomConfig } from '@headroom/core';
import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import { loadConfigFile } from '../load-config-file.js';
import { validateProviderSettings } from '../provider-registry.js';
import { collectConfigSecrets } from './collect-config-secrets.js';
import { loadTlsMaterial, type TlsMaterial } from './load-tls-material.js';
import { parseRunSettings, type RunSettings } from './run-config-schema.js';
import { traceLearningIssues } from './trace-learning-issues.js';

/** A validated config with the service's sections parsed and its secrets resolved. */
export interface ServiceConfig {
  config: HeadroomConfig;
  settings: RunSettings;
  apiToken?: string;
  checkinKey?: string;
  /** `checkin.managerToken`, resolved. */
  managerToken?: string;
  inventoryToken?: string;
  postgresUrl?: string;
  /** The certificate and key of `api.tls`, read and checked. */
  tls?: TlsMaterial;
  /** Every secret value, for the logger's redaction. */
  secrets: string[];
}

const MINIMUM_LENGTH = { 'api.token': 16, 'checkin.signingKey': 32 } as const;

/**
 * Loads the config file, checks providers, the service sections and that predictive standby
 * learns from `history` (`traceLearningIssues`), resolves secrets.
 * @throws UsageError (unreadable, bad YAML) or ConfigError listing every problem by path.
 */
export async function loadServiceConfig(path: string): Promise<ServiceConfig> {
  const config = await loadConfigFile(path);
  const issues: ConfigIssue[] = [];
  const collect = async <T>(check: () => Promise<T> | T): Promise<T | undefined> => {
    try {
      return await check();
    } catch (error) {
      if (!ConfigError.isInstance(error)) throw error;
      issues.push(...error.issues);
      return undefined;
    }
  };
  await collect(() => validateProviderSettings(config, path));
  issues.push(...traceLearningIssues(config));
  const settings = await collect(() => parseRunSettings(config, { source: path }));
  if (!settings) throw new ConfigError({ issues, source: path });
  const secret = async (value: SecretInput | undefined, field: string) => {
    if (value === undefined) return undefined;
    try {
      const resolved = await resolveSecret({ value, providerId: 'headroom', field });
      const minimum = MINIMUM_LENGTH[field as keyof typeof MINIMUM_LENGTH];
      if (minimum && resolved.length < minimum)
        issues.push({ path: field, message: `must be at least ${minimum} characters` });
      return resolved;
    } catch (error) {
      issues.push({ path: field, message: (error as Error).message });
      return undefined;
    }
  };
  const apiToken = await secret(settings.api.token, 'api.token');
  const checkinKey = await secret(settings.checkin?.signingKey, 'checkin.signingKey');
  const managerToken = await secret(settings.checkin?.managerToken, 'checkin.managerToken');
  const inventoryToken = await secret(settings.inventory?.token, 'inventory.token');
  const postgresUrl =
    settings.state && 'postgres' in settings.state
      ? await secret(settings.state.postgres.url, 'state.postgres.url')
      : undefined;
  const tls = settings.api.tls
    ? await loadTlsMaterial({ tls: settings.api.tls, baseDirectory: dirname(path), issues })
    : undefined;
  if (issues.length > 0) throw new ConfigError({ issues, source: path });
  const secrets = [...(await collectConfigSecrets(config))];
  for (const value of [apiToken, checkinKey, managerToken, inventoryToken, postgresUrl, tls?.key])
    if (value) secrets.push(value);
  return {
    config,
    settings,
    secrets,
    ...(apiToken ? { apiToken } : {}),
    ...(checkinKey ? { checkinKey } : {}),
    ...(managerToken ? { managerToken } : {}),
    ...(inventoryToken ? { inventoryToken } : {}),
    ...(postgresUrl ? { postgresUrl } : {}),
    ...(tls ? { tls } : {}),
  };
}
