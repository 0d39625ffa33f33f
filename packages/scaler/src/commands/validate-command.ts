import { listAutoscaleEntries } from '@headroom/core';
import { loadCheckedConfigFile } from '../adapters/load-checked-config-file.js';
import type { Command } from '../command.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a config file; every problem is listed by path',
  usage: 'headroom validate --config FILE',
  flags: { config: { value: 'FILE', description: 'the YAML config (JSON is YAML too)' } },
  async run({ argv, stdout }) {
    const { values } = parseCommandArguments(argv, { config: { type: 'string' } }, 'validate');
    const path = requireFlag(values.config, '--config', 'validate');
    const config = await loadCheckedConfigFile(path);
    const entries = listAutoscaleEntries(config);
    stdout.write(
      `ok: ${path}: ${plural(config.pools.length, 'pool')}, ${plural(entries.length, 'autoscale config')}, ${plural(Object.keys(config.providers).length, 'provider')}, ${plural(Object.keys(config.dnsProviders).length, 'DNS provider')}, ${plural(config.staging.length, 'staging config')}\n`,
    );
    return 0;
  },
};
