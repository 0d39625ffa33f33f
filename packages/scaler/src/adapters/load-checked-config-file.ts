import { ConfigError, type ConfigIssue, type HeadroomConfig, parseConfig } from '@headroom/core';
import { readConfigDocument } from '../load-config-file.js';
import { checkProviderSections } from '../provider-registry.js';

/**
 * Loads a config file and checks it whole in one pass: the core schema and every adapter's
 * fields, so that all problems are listed together.
 * @throws UsageError (unreadable, bad YAML) or ConfigError (empty, or every problem by path).
 */
export async function loadCheckedConfigFile(path: string): Promise<HeadroomConfig> {
  const document = await readConfigDocument(path);
  const issues: ConfigIssue[] = [];
  let config: HeadroomConfig | undefined;
  try {
    config = parseConfig(document, { source: path });
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    issues.push(...error.issues);
  }
  // A field both schemas own (`maxInstances`) is reported once, by core.
  const reported = new Set(issues.map((issue) => issue.path));
  issues.push(...(await checkProviderSections(document)).filter((issue) => !reported.has(issue.path)));
  if (issues.length > 0 || !config) throw new ConfigError({ issues, source: path });
  return config;
}
