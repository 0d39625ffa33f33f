import { dirname, resolve } from 'node:path';
import {
  computerNameFor,
  instanceNameFor,
  listAutoscaleEntries,
  MASKED_VALUE,
  STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS,
  serverIdFor,
  startupScriptTemplateOf,
  startupScriptValuesFor,
} from '@headroom/core';
import { listStartupScriptPlaceholders, renderStartupScript } from '@headroom/core/provider';
import { loadCheckedConfigFile } from '../adapters/load-checked-config-file.js';
import type { Command } from '../command.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { connectionPlaceholderValues } from '../run/connection-placeholder-values.js';
import { UsageError } from '../usage-error.js';

/** Intent key of the preview: the name and computer name it yields are stable across runs. */
const PREVIEW_INTENT_KEY = 'hr-preview';

export const scriptCommand: Command = {
  name: 'script',
  summary: 'print the startup script a new server of an autoscale config would run (secrets masked)',
  usage: 'headroom script --config FILE --autoscale POOL/AUTOSCALE [--instance-name NAME]',
  flags: {
    config: { value: 'FILE', description: 'the YAML config' },
    autoscale: { value: 'POOL/AUTOSCALE', description: 'the autoscale config whose startup script to render' },
    'instance-name': { value: 'NAME', description: 'the instance id to render for (default: a preview name)' },
  },
  async run({ argv, stdout, stderr }) {
    const { values } = parseCommandArguments(
      argv,
      { config: { type: 'string' }, autoscale: { type: 'string' }, 'instance-name': { type: 'string' } },
      'script',
    );
    const path = requireFlag(values.config, '--config', 'script');
    const wanted = requireFlag(values.autoscale, '--autoscale', 'script');
    const instanceName = values['instance-name'];
    if (instanceName !== undefined && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(instanceName))
      throw new UsageError(`--instance-name ${instanceName}: must be a host name (1–63 letters, digits or -)`);
    const config = await loadCheckedConfigFile(path);
    const entries = listAutoscaleEntries(config);
    const entry = entries.find(({ pool, autoscale }) => `${pool.id}/${autoscale.id}` === wanted);
    if (!entry) {
      const known = entries.map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`);
      throw new UsageError(
        `--autoscale ${wanted}: no such autoscale config (configured: ${known.join(', ') || 'none'})`,
      );
    }
    const template = startupScriptTemplateOf({ config, entry });
    if (template === undefined) {
      stderr.write(
        `${wanted} has no startup script (neither its startupScript nor providers.${entry.autoscale.provider}.startupScript is set)\n`,
      );
      return 0;
    }
    const name =
      instanceName ??
      instanceNameFor({ pool: entry.pool.id, autoscale: entry.autoscale.id, intentKey: PREVIEW_INTENT_KEY });
    const createsRecord = entry.kind === 'server' && entry.autoscale.activeDirectory?.createComputerRecord === true;
    const checkin = (config.checkin ?? {}) as {
      upstreamAuthAddress?: unknown;
      signingKey?: unknown;
      managerToken?: unknown;
    };
    const supplied: Record<string, string> = {
      ...(await connectionPlaceholderValues({ entry, baseDirectory: dirname(resolve(path)) })),
    };
    if (typeof checkin.upstreamAuthAddress === 'string') supplied.upstream_auth_address = checkin.upstreamAuthAddress;
    if (checkin.signingKey !== undefined) supplied.checkin_jwt = MASKED_VALUE;
    if (checkin.managerToken !== undefined) supplied.manager_token = MASKED_VALUE;
    const generatesPassword = entry.kind === 'server' && entry.autoscale.connection.generatePassword;
    const rendered = renderStartupScript({
      template,
      values: startupScriptValuesFor({
        template,
        input: {
          config,
          entry,
          instanceName: name,
          serverId: serverIdFor({ intentKey: `${PREVIEW_INTENT_KEY}-${name}` }),
          ...(generatesPassword ? { connectionPassword: MASKED_VALUE } : {}),
          ...(createsRecord
            ? {
                computerRecord: {
                  computerName: computerNameFor({ pool: entry.pool.id, intentKey: `${PREVIEW_INTENT_KEY}-${name}` }),
                  joinPassword: MASKED_VALUE,
                },
              }
            : {}),
        },
        supplied,
        maskSecrets: true,
      }),
    });
    stdout.write(rendered.endsWith('\n') ? rendered : `${rendered}\n`);
    const masked = listStartupScriptPlaceholders(template).filter(
      (placeholder) => STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS.get(placeholder)?.secret,
    );
    stderr.write(
      `# ${wanted} as instance ${name}${masked.length ? `; masked: ${masked.map((placeholder) => `{${placeholder}}`).join(', ')} (new for each server)` : ''}\n`,
    );
    return 0;
  },
};
