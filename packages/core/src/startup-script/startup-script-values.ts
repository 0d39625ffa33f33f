import { listStartupScriptPlaceholders, type StartupScriptValues } from '../provider/utils/render-startup-script.js';
import type { PlaceholderValueInput } from './startup-script-placeholder.js';
import { STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS } from './startup-script-placeholder-catalogue.js';

/** What `headroom script` prints instead of a secret value. */
export const MASKED_VALUE = '********';

/**
 * Values of the placeholders `template` uses for one new instance: `supplied` (the run time's
 * `startupScriptValues`) first, else the catalogue's value source. A placeholder with neither is
 * left out (rendering then fails naming it). With `maskSecrets`, secret values are `MASKED_VALUE`.
 */
export function startupScriptValuesFor(options: {
  template: string;
  input: PlaceholderValueInput;
  supplied?: StartupScriptValues;
  maskSecrets?: boolean;
}): StartupScriptValues {
  const values: Record<string, string> = {};
  for (const name of listStartupScriptPlaceholders(options.template)) {
    const definition = STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS.get(name)!;
    const value = options.supplied?.[name] ?? definition.valueFor?.(options.input);
    if (value === undefined) continue;
    values[name] = options.maskSecrets && definition.secret ? MASKED_VALUE : value;
  }
  return values;
}

/** The template of an autoscale config: its own `startupScript`, else its provider config's. */
export function startupScriptTemplateOf(input: Pick<PlaceholderValueInput, 'config' | 'entry'>): string | undefined {
  return input.entry.autoscale.startupScript ?? input.config.providers[input.entry.autoscale.provider]?.startupScript;
}
