import type { AutoscaleEntry } from '../../config/config-views.js';
import { renderStartupScript, type StartupScriptValues } from '../../provider/utils/render-startup-script.js';
import { dnsTargetOf, type TickContext } from '../tick-context.js';

/**
 * Renders the startup script of a new instance named `name` (the autoscale config's template, else
 * its provider config's), or undefined when neither has one. Defaults (`server_id`,
 * `server_hostname`, `server_external_fqdn`, `provider_name`, `domain`) are overridden by
 * `startupScriptValues`. Throws `StartupScriptError` on a placeholder without a value.
 */
export async function renderStartupScriptFor(
  context: TickContext,
  job: { entry: AutoscaleEntry; name: string },
): Promise<string | undefined> {
  const { entry, name } = job;
  const providerConfig = context.config.providers[entry.autoscale.provider];
  const template = entry.autoscale.startupScript ?? providerConfig?.startupScript;
  if (template === undefined) return undefined;
  const target = dnsTargetOf(context, entry.autoscale);
  const defaults: StartupScriptValues = {
    server_id: name,
    server_hostname: name,
    server_external_fqdn: target ? `${name}.${target.baseDomain}` : name,
    provider_name: providerConfig?.name ?? entry.autoscale.provider,
    ...(target ? { domain: target.baseDomain } : {}),
  };
  const valuesOf = context.runtime.options.startupScriptValues;
  const extra = valuesOf
    ? await valuesOf({
        id: name,
        pool: entry.pool.id,
        autoscale: entry.autoscale.id,
        provider: entry.autoscale.provider,
      })
    : {};
  return renderStartupScript({ template, values: { ...defaults, ...extra } });
}
