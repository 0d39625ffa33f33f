import { createRequire } from 'node:module';
import type { z } from 'zod';

/**
 * The seed's "OCI Config Override": `{ "launch_instance_details": { … } }` customizes the
 * `LaunchInstanceDetails` of each launch. Rules (the seed's `OCI_MODEL_NAME` typed-model rules):
 *
 * - The only top-level key is `launch_instance_details` (or `launchInstanceDetails`).
 * - Member names are snake_case, as in the Python SDK (and the seed's examples), or camelCase, as
 *   in the REST API; snake_case becomes camelCase (`memory_in_gbs` → `memoryInGBs`).
 * - An object with `OCI_MODEL_NAME` is that model of the SDK (`InstanceOptions`,
 *   `LaunchInstanceAgentConfigDetails`, …): the name must exist in `oci-core`'s models, the key is
 *   removed, and a polymorphic model gets its discriminator (`InstanceSourceViaImageDetails` →
 *   `sourceType: "image"`). Arrays are converted element by element.
 * - Objects without `OCI_MODEL_NAME` are nested details and are converted the same way, except the
 *   maps `freeform_tags`, `defined_tags`, `metadata`, `extended_metadata` and
 *   `security_attributes`, whose keys are data and are kept as written.
 */
export const OCI_MODEL_NAME_KEY = 'OCI_MODEL_NAME';

const topLevelKeys = new Set(['launch_instance_details', 'launchInstanceDetails']);
const mapMembers = new Set(['freeformTags', 'definedTags', 'metadata', 'extendedMetadata', 'securityAttributes']);
const irregularWords: Record<string, string> = { gbs: 'GBs', gb: 'GB', ai: 'AI' };

/** `memory_in_gbs` → `memoryInGBs`; a name without `_` is kept. */
export function toOciMemberName(name: string): string {
  if (!name.includes('_')) return name;
  const [first = '', ...rest] = name.split('_').filter((word) => word !== '');
  return (
    first.toLowerCase() +
    rest
      .map((word) => irregularWords[word.toLowerCase()] ?? word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())
      .join('')
  );
}

type ModelNamespace = Record<string, unknown> & { getJsonObj?: unknown };

let coreModels: Record<string, ModelNamespace> | undefined;

/** The SDK's model namespaces (`oci-core` is loaded on first use: it is large). */
function loadCoreModels(): Record<string, ModelNamespace> {
  coreModels ??= (createRequire(import.meta.url)('oci-core') as { models: Record<string, ModelNamespace> }).models;
  return coreModels;
}

/** Whether `name` is a model of `oci-core`; its discriminator members (`sourceType: 'image'`) when so. */
export function lookupOciModel(name: string): Record<string, string> | undefined {
  const model = loadCoreModels()[name];
  if (!model || typeof model.getJsonObj !== 'function') return undefined;
  const discriminators: Record<string, string> = {};
  for (const [key, value] of Object.entries(model)) if (typeof value === 'string') discriminators[key] = value;
  return discriminators;
}

interface ConvertContext {
  path: (string | number)[];
  issues: { path: (string | number)[]; message: string }[];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function convertValue(value: unknown, context: ConvertContext): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => convertValue(item, { ...context, path: [...context.path, index] }));
  }
  return isPlainObject(value) ? convertDetails(value, context) : value;
}

function convertDetails(details: Record<string, unknown>, context: ConvertContext): Record<string, unknown> {
  const converted: Record<string, unknown> = {};
  const modelName = details[OCI_MODEL_NAME_KEY];
  if (modelName !== undefined) {
    const discriminators = typeof modelName === 'string' ? lookupOciModel(modelName) : undefined;
    if (discriminators === undefined) {
      context.issues.push({
        path: [...context.path, OCI_MODEL_NAME_KEY],
        message: `${JSON.stringify(modelName)} is not a model of the OCI Core SDK (e.g. InstanceOptions, LaunchInstanceAgentConfigDetails)`,
      });
    } else Object.assign(converted, discriminators);
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === OCI_MODEL_NAME_KEY) continue;
    const member = toOciMemberName(key);
    converted[member] = mapMembers.has(member)
      ? value
      : convertValue(value, { ...context, path: [...context.path, key] });
  }
  return converted;
}

/**
 * Converts the override into a partial `LaunchInstanceDetails` (REST member names).
 * @returns the details and every problem found, by path.
 */
export function convertOciConfigOverride(override: Record<string, unknown>): {
  launchInstanceDetails: Record<string, unknown>;
  issues: { path: (string | number)[]; message: string }[];
} {
  const issues: ConvertContext['issues'] = [];
  let launchInstanceDetails: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(override)) {
    if (!topLevelKeys.has(key)) {
      issues.push({ path: [key], message: 'is not supported: the override has one key, launch_instance_details' });
      continue;
    }
    if (!isPlainObject(value)) {
      issues.push({ path: [key], message: 'must be an object of LaunchInstanceDetails members' });
      continue;
    }
    launchInstanceDetails = convertDetails(value, { path: [key], issues });
  }
  return { launchInstanceDetails, issues };
}

/** zod refinement: every override problem as an issue by path. */
export function checkOciConfigOverride(override: Record<string, unknown>, context: z.RefinementCtx): void {
  for (const issue of convertOciConfigOverride(override).issues) {
    context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  }
}
