import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { InvalidImageReferenceError, parseImageReference } from '../images/image-reference.js';
import { listStartupScriptPlaceholders } from '../provider/utils/render-startup-script.js';
import { StartupScriptError } from '../provider/utils/startup-script-error.js';
import { startupScriptPlaceholderIssues } from '../startup-script/startup-script-placeholder-issues.js';
import { type HeadroomConfig, headroomConfigSchema } from './config-schema.js';
import { mapZodIssues } from './zod-issues.js';

export { formatConfigPath } from './zod-issues.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value != null && typeof value === 'object' && !Array.isArray(value);

/**
 * Cross-reference checks, run on the raw input so they are reported together with schema problems:
 * autoscale configs naming missing providers or DNS providers, staging configs naming missing
 * pools or autoscale configs, duplicate ids.
 */
function crossReferenceIssues(input: unknown, options: ParseConfigOptions): ConfigIssue[] {
  if (!isRecord(input)) return [];
  const issues: ConfigIssue[] = [];
  const providers = isRecord(input.providers) ? input.providers : {};
  const checkStartupScript = (script: unknown, path: string) => {
    if (typeof script !== 'string') return;
    try {
      listStartupScriptPlaceholders(script);
    } catch (error) {
      if (!StartupScriptError.isInstance(error)) throw error;
      issues.push({ path, message: error.message.replace(/^startup script: /, '') });
    }
  };
  for (const [id, provider] of Object.entries(providers)) {
    if (isRecord(provider)) checkStartupScript(provider.startupScript, `providers.${id}.startupScript`);
  }
  const dnsProviders = isRecord(input.dnsProviders) ? input.dnsProviders : {};
  const pools = Array.isArray(input.pools) ? input.pools : [];
  const poolIds = new Map<string, number>();
  const autoscaleByPool = new Map<string, { kind: unknown; ids: Set<string>; zones: Map<string, string> }>();
  pools.forEach((pool, poolIndex) => {
    if (!isRecord(pool)) return;
    if (typeof pool.id === 'string') {
      if (poolIds.has(pool.id))
        issues.push({ path: `pools[${poolIndex}].id`, message: `duplicate pool id "${pool.id}"` });
      poolIds.set(pool.id, poolIndex);
    }
    const ids = new Set<string>();
    const zones = new Map<string, string>();
    if (typeof pool.id === 'string') autoscaleByPool.set(pool.id, { kind: pool.kind, ids, zones });
    const autoscale = Array.isArray(pool.autoscale) ? pool.autoscale : [];
    autoscale.forEach((entry, index) => {
      if (!isRecord(entry)) return;
      const path = `pools[${poolIndex}].autoscale[${index}]`;
      if (typeof entry.id === 'string') {
        if (ids.has(entry.id))
          issues.push({ path: `${path}.id`, message: `duplicate autoscale id "${entry.id}" in pool` });
        ids.add(entry.id);
        if (typeof entry.zone === 'string') zones.set(entry.id, entry.zone);
      }
      checkStartupScript(entry.startupScript, `${path}.startupScript`);
      issues.push(...autoscaleScriptIssues({ input, pool, entry, path, options }));
      const directory = entry.activeDirectory;
      const ldapConfigs = isRecord(input.ldapConfigs) ? input.ldapConfigs : {};
      if (isRecord(directory) && typeof directory.ldapConfig === 'string' && !(directory.ldapConfig in ldapConfigs)) {
        const known = Object.keys(ldapConfigs);
        issues.push({
          path: `${path}.activeDirectory.ldapConfig`,
          message: `unknown LDAP config "${directory.ldapConfig}"${known.length ? ` (configured: ${known.join(', ')})` : ' (no ldapConfigs are configured)'}`,
        });
      }
      if (typeof entry.provider === 'string' && !(entry.provider in providers)) {
        const known = Object.keys(providers);
        issues.push({
          path: `${path}.provider`,
          message: `unknown provider "${entry.provider}"${known.length ? ` (configured: ${known.join(', ')})` : ' (no providers are configured)'}`,
        });
      }
      const dns = entry.dns;
      if (isRecord(dns) && typeof dns.provider === 'string' && !(dns.provider in dnsProviders)) {
        const known = Object.keys(dnsProviders);
        issues.push({
          path: `${path}.dns.provider`,
          message: `unknown DNS provider "${dns.provider}"${known.length ? ` (configured: ${known.join(', ')})` : ' (no DNS providers are configured)'}`,
        });
      }
      if (entry.checkinTimeoutSeconds !== undefined && entry.requireCheckin === false) {
        issues.push({ path: `${path}.checkinTimeoutSeconds`, message: 'is set but requireCheckin is false' });
      }
    });
  });
  const staging = Array.isArray(input.staging) ? input.staging : [];
  const stagingIds = new Set<string>();
  staging.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    const path = `staging[${index}]`;
    if (typeof entry.id === 'string') {
      if (stagingIds.has(entry.id)) issues.push({ path: `${path}.id`, message: `duplicate staging id "${entry.id}"` });
      stagingIds.add(entry.id);
    }
    if (typeof entry.pool !== 'string') return;
    const pool = autoscaleByPool.get(entry.pool);
    if (!pool) {
      issues.push({ path: `${path}.pool`, message: `unknown pool "${entry.pool}"` });
      return;
    }
    if (pool.kind !== 'docker-agent') {
      issues.push({
        path: `${path}.pool`,
        message: `pool "${entry.pool}" is not a docker-agent pool; staging needs one`,
      });
    }
    if (typeof entry.autoscale === 'string' && !pool.ids.has(entry.autoscale)) {
      issues.push({
        path: `${path}.autoscale`,
        message: `unknown autoscale config "${entry.autoscale}" in pool "${entry.pool}"`,
      });
    }
    const autoscaleZone =
      typeof entry.autoscale === 'string' ? (pool.zones.get(entry.autoscale) ?? 'default') : undefined;
    if (typeof entry.zone === 'string' && autoscaleZone !== undefined && entry.zone !== autoscaleZone) {
      issues.push({
        path: `${path}.zone`,
        message: `is "${entry.zone}" but autoscale config "${entry.autoscale}" deploys to zone "${autoscaleZone}"`,
      });
    }
  });
  issues.push(...checkZones(input.zones));
  issues.push(...workspaceIssues(input.workspaces, autoscaleByPool));
  return issues;
}

/** Workspaces: unique ids, parseable image names, pools that exist and are docker-agent pools. */
function workspaceIssues(input: unknown, pools: ReadonlyMap<string, { kind: unknown }>): ConfigIssue[] {
  if (!Array.isArray(input)) return [];
  const issues: ConfigIssue[] = [];
  const ids = new Set<string>();
  input.forEach((entry, index) => {
    if (!isRecord(entry)) return;
    const path = `workspaces[${index}]`;
    if (typeof entry.id === 'string') {
      if (ids.has(entry.id)) issues.push({ path: `${path}.id`, message: `duplicate workspace id "${entry.id}"` });
      ids.add(entry.id);
    }
    if (typeof entry.image === 'string') {
      try {
        parseImageReference(entry.image);
      } catch (error) {
        if (!(error instanceof InvalidImageReferenceError)) throw error;
        issues.push({ path: `${path}.image`, message: error.message });
      }
    }
    if (!Array.isArray(entry.pools)) return;
    entry.pools.forEach((poolId, poolIndex) => {
      const pool = typeof poolId === 'string' ? pools.get(poolId) : undefined;
      if (!pool) issues.push({ path: `${path}.pools[${poolIndex}]`, message: `unknown pool "${String(poolId)}"` });
      else if (pool.kind !== 'docker-agent')
        issues.push({ path: `${path}.pools[${poolIndex}]`, message: `pool "${poolId}" is not a docker-agent pool` });
    });
  });
  return issues;
}

/** Placeholder problems of the script an autoscale config runs (its own, else its provider's). */
function autoscaleScriptIssues(options: {
  input: Record<string, unknown>;
  pool: Record<string, unknown>;
  entry: Record<string, unknown>;
  path: string;
  options: ParseConfigOptions;
}): ConfigIssue[] {
  const { input, pool, entry, path } = options;
  if (pool.kind !== 'docker-agent' && pool.kind !== 'server') return [];
  const providers = isRecord(input.providers) ? input.providers : {};
  const provider = typeof entry.provider === 'string' ? providers[entry.provider] : undefined;
  const own = typeof entry.startupScript === 'string';
  const template = own ? entry.startupScript : isRecord(provider) ? provider.startupScript : undefined;
  if (typeof template !== 'string') return [];
  return startupScriptPlaceholderIssues({
    template,
    path: own ? `${path}.startupScript` : path,
    scriptField: own ? 'startupScript' : `providers.${String(entry.provider)}.startupScript`,
    context: { poolKind: pool.kind, autoscale: entry, config: input },
    ...(options.options.suppliedPlaceholders
      ? { suppliedPlaceholders: new Set(options.options.suppliedPlaceholders) }
      : {}),
  });
}

/** Options of `parseConfig`. */
export interface ParseConfigOptions {
  /** Where the document came from (file name), for the error header. */
  source?: string;
  /**
   * Placeholders whose values the embedder supplies through `startupScriptValues`; they are not
   * checked for a value source in the config.
   */
  suppliedPlaceholders?: readonly string[];
}

/**
 * Validates a parsed YAML/JSON document as a Headroom config, with defaults applied.
 * @throws ConfigError listing every problem by path; nothing is partially accepted.
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): HeadroomConfig {
  const result = headroomConfigSchema.safeParse(input ?? {});
  const issues = [...(result.success ? [] : mapZodIssues(result.error)), ...crossReferenceIssues(input, options)];
  if (issues.length > 0 || !result.success) {
    throw new ConfigError({ issues, ...(options.source ? { source: options.source } : {}) });
  }
  return result.data;
}

/** JSON Schema of the config file, for editors (`headroom schema`). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(headroomConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return { ...schema, title: 'Headroom configuration', $id: 'https://headroom.dev/schema/headroom.json' };
}

/** Zone ids are unique and alternate zones name configured zones (other than the zone itself). */
function checkZones(input: unknown): ConfigIssue[] {
  const zones = Array.isArray(input) ? input.filter(isRecord) : [];
  const ids = new Set<string>();
  const issues: ConfigIssue[] = [];
  zones.forEach((zone, index) => {
    if (typeof zone.id !== 'string') return;
    if (ids.has(zone.id)) issues.push({ path: `zones[${index}].id`, message: `duplicate zone id "${zone.id}"` });
    ids.add(zone.id);
  });
  zones.forEach((zone, index) => {
    if (!Array.isArray(zone.alternateZones)) return;
    zone.alternateZones.forEach((alternate, alternateIndex) => {
      if (typeof alternate !== 'string') return;
      const path = `zones[${index}].alternateZones[${alternateIndex}]`;
      if (alternate === zone.id) issues.push({ path, message: 'is the zone itself' });
      else if (!ids.has(alternate)) issues.push({ path, message: `unknown zone "${alternate}"` });
    });
  });
  return issues;
}
