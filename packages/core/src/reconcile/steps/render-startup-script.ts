import type { AutoscaleEntry } from '../../config/config-views.js';
import { renderStartupScript } from '../../provider/utils/render-startup-script.js';
import { startupScriptTemplateOf, startupScriptValuesFor } from '../../startup-script/startup-script-values.js';
import type { TickContext } from '../tick-context.js';

/**
 * Renders the startup script of a new instance named `name` (the autoscale config's template, else
 * its provider config's), or undefined when neither has one. Each placeholder's value comes from
 * `startupScriptValues` when it supplies one, else from its source in the placeholder catalogue
 * (`computerRecord` supplies `{ad_join_credential}` and `{computer_name}`, `serverId`
 * `{server_id}`, `connectionPassword` a generated `{connection_password}`). Throws
 * `StartupScriptError` on a placeholder without a value; the message never carries a value.
 */
export async function renderStartupScriptFor(
  context: TickContext,
  job: {
    entry: AutoscaleEntry;
    name: string;
    serverId: string;
    connectionPassword?: string;
    computerRecord?: { computerName: string; joinPassword: string };
  },
): Promise<string | undefined> {
  const { entry, name } = job;
  const template = startupScriptTemplateOf({ config: context.config, entry });
  if (template === undefined) return undefined;
  const valuesOf = context.runtime.options.startupScriptValues;
  const supplied = valuesOf
    ? await valuesOf({
        id: name,
        pool: entry.pool.id,
        autoscale: entry.autoscale.id,
        provider: entry.autoscale.provider,
      })
    : {};
  const values = startupScriptValuesFor({
    template,
    input: {
      config: context.config,
      entry,
      instanceName: name,
      serverId: job.serverId,
      ...(job.connectionPassword !== undefined ? { connectionPassword: job.connectionPassword } : {}),
      ...(job.computerRecord ? { computerRecord: job.computerRecord } : {}),
    },
    supplied,
  });
  return renderStartupScript({ template, values });
}
