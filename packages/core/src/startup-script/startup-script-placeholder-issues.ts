import type { ConfigIssue } from '../errors/config-error.js';
import { listStartupScriptPlaceholders } from '../provider/utils/render-startup-script.js';
import { StartupScriptError } from '../provider/utils/startup-script-error.js';
import type { PlaceholderSourceContext } from './startup-script-placeholder.js';
import { STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS } from './startup-script-placeholder-catalogue.js';

/**
 * Problems of the startup script one autoscale config runs: a placeholder not valid for its pool
 * kind, or one whose value source this config lacks. Each issue is at `path` and names the field
 * the script came from (`scriptField`) and the placeholder. A template that does not parse yields
 * nothing here (its parse error is reported at the script's own field). Placeholders listed in
 * `suppliedPlaceholders` are taken as supplied by an embedder (`startupScriptValues`).
 */
export function startupScriptPlaceholderIssues(options: {
  template: string;
  path: string;
  scriptField: string;
  context: PlaceholderSourceContext;
  suppliedPlaceholders?: ReadonlySet<string>;
}): ConfigIssue[] {
  let used: string[];
  try {
    used = listStartupScriptPlaceholders(options.template);
  } catch (error) {
    if (StartupScriptError.isInstance(error)) return [];
    throw error;
  }
  const issues: ConfigIssue[] = [];
  for (const name of used) {
    if (options.suppliedPlaceholders?.has(name)) continue;
    const definition = STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS.get(name)!;
    if (!definition.poolKinds.includes(options.context.poolKind)) {
      issues.push({
        path: options.path,
        message: `${options.scriptField} uses {${name}}, which has no value in ${options.context.poolKind} pools (its value is ${definition.source}; valid in ${definition.poolKinds.join(', ')} pools)`,
      });
      continue;
    }
    const missing = definition.missingSource?.(options.context);
    if (missing) {
      issues.push({
        path: options.path,
        message: `${options.scriptField} uses {${name}}, which has no value source here: ${missing} (its value is ${definition.source})`,
      });
      continue;
    }
    const invalid = definition.invalidSource?.(options.context);
    if (invalid) issues.push({ path: options.path, message: `${options.scriptField} uses {${name}}: ${invalid}` });
  }
  return issues;
}
